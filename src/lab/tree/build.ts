// The lab's install tree, shaped like a RHEL one: images/pxeboot/{vmlinuz,initrd.img} (a real
// Debian kernel and a busybox initramfs, so real PXE firmware could boot them),
// images/install.img standing in for stage2, a real RPM repository (Packages/ and repodata/,
// ./rpm.ts) that dnf installs from, .treeinfo, and SHA256SUMS of every file.
// Built once into a temporary directory and renamed; rebuilt only when its size changes.
// Needs the lab image (ensureImage) for its apt lists.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { InputError, TaskError } from "../../errors.js";
import { CACHE_DIR, IMAGE_DIR, TREE_DIR, TREE_VERSION } from "../paths.js";
import { withFileLock } from "../lock.js";
import { runOk } from "../run.js";
import { cpioNewc, dir, file, symlink } from "./cpio.js";
import { packageContent, planPackages } from "./packages.js";
import { buildRepository } from "./rpm.js";

/** Manifest at the top of the tree: `<sha256>  <relative path>` per line. */
export const TREE_MANIFEST = "SHA256SUMS";
export const KERNEL_PATH = "images/pxeboot/vmlinuz";
export const INITRD_PATH = "images/pxeboot/initrd.img";
/** Stands in for Anaconda's stage2 (a squashfs the installer's dracut downloads). */
export const STAGE2_PATH = "images/install.img";
export const DEFAULT_TREE_SIZE = "32M";
const SEED = 20090401;
const DEBS_DIR = join(CACHE_DIR, "debs");

/** apt options that read the package lists and sources of the lab image (read only), so the
 *  tree does not depend on this machine's apt lists being present or current. */
function imageApt(): string[] {
  return [
    `-oDir::Etc::SourceList=${join(IMAGE_DIR, "etc/apt/sources.list")}`,
    "-oDir::Etc::SourceParts=/nonexistent",
    `-oDir::State::Lists=${join(IMAGE_DIR, "var/lib/apt/lists")}`,
    `-oDir::State::Status=${join(IMAGE_DIR, "var/lib/dpkg/status")}`,
    // No package cache files: they would be written into this machine's /var/cache/apt.
    "-oDir::Cache::pkgcache=",
    "-oDir::Cache::srcpkgcache=",
  ];
}

export interface TreeResult {
  dir: string;
  built: boolean;
  files: number;
  bytes: number;
  durationMs: number;
}

/** `32M`, `1G`, `500K` or a byte count. */
export function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (!m?.[1]) throw new InputError(`invalid size '${text}' (expected e.g. 32M, 1G, 500K)`);
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? "").toUpperCase()] ?? 1;
  const bytes = Number(m[1]) * unit;
  if (bytes < 1024 ** 2) throw new InputError(`tree size ${text} is too small (at least 1M)`);
  return bytes;
}

const markerFile = (treeDir: string): string => `${treeDir}.json`;

async function cachedTree(treeDir: string, sizeBytes: number): Promise<TreeResult | undefined> {
  const marker = await readFile(markerFile(treeDir), "utf8").catch(() => "");
  if (!marker || !existsSync(treeDir)) return undefined;
  const have = JSON.parse(marker) as TreeMarker;
  if (have.version !== TREE_VERSION || have.seed !== SEED || have.sizeBytes !== sizeBytes)
    return undefined;
  return { dir: treeDir, built: false, files: have.files, bytes: have.bytes, durationMs: 0 };
}

interface TreeMarker {
  version: number;
  seed: number;
  sizeBytes: number;
  files: number;
  bytes: number;
}

export async function ensureTree(
  sizeBytes: number,
  log: (line: string) => void,
  treeDir: string = TREE_DIR,
): Promise<TreeResult> {
  const cached = await cachedTree(treeDir, sizeBytes);
  if (cached) return cached;
  return withFileLock(
    `${treeDir}.lock`,
    "tree",
    log,
    async () => (await cachedTree(treeDir, sizeBytes)) ?? buildTree(sizeBytes, log, treeDir),
  );
}

async function buildTree(
  sizeBytes: number,
  log: (line: string) => void,
  treeDir: string,
): Promise<TreeResult> {
  const started = performance.now();
  log(`tree: building ${sizeBytes} bytes into ${treeDir}`);
  const tmp = `${treeDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, dirname(KERNEL_PATH)), { recursive: true });
  const boot = await bootFiles(log);
  await writeFile(join(tmp, KERNEL_PATH), boot.kernel);
  await writeFile(join(tmp, INITRD_PATH), boot.initrd);
  // A real tree's stage2 is about a third of what a minimal install downloads.
  const rest = Math.max(2 * 1024 ** 2, sizeBytes - boot.kernel.length - boot.initrd.length);
  const stage2 = Math.max(1024 ** 2, Math.round(rest / 4));
  await writeFile(
    join(tmp, STAGE2_PATH),
    packageContent({ name: "install.img", version: "9", size: stage2 }, SEED),
  );
  const pkgs = planPackages(rest - stage2, SEED);
  log(`tree: ${pkgs.length} RPMs (rpmbuild), repodata (createrepo_c)`);
  await buildRepository(tmp, pkgs, SEED);
  const sums = await checksums(tmp);
  await writeFile(join(tmp, ".treeinfo"), treeinfo(boot.kernelVersion, sums));
  await writeFile(
    join(tmp, TREE_MANIFEST),
    [...sums].map(([rel, sum]) => `${sum}  ${rel}`).join("\n") + "\n",
  );
  const files = await filesBelow(tmp);
  let bytes = 0;
  for (const rel of files) bytes += (await stat(join(tmp, rel))).size;
  // The marker goes first and comes back last: a tree without one is never trusted.
  await rm(markerFile(treeDir), { force: true });
  await rm(treeDir, { recursive: true, force: true });
  await rename(tmp, treeDir);
  const marker: TreeMarker = {
    version: TREE_VERSION,
    seed: SEED,
    sizeBytes,
    files: files.length,
    bytes,
  };
  await writeFile(markerFile(treeDir), JSON.stringify(marker) + "\n");
  log(`tree: ${files.length} files, ${bytes} bytes`);
  return {
    dir: treeDir,
    built: true,
    files: files.length,
    bytes,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Every file below `root` (relative paths, sorted). */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

async function checksums(root: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const rel of await filesBelow(root))
    sums.set(
      rel,
      createHash("sha256")
        .update(await readFile(join(root, rel)))
        .digest("hex"),
    );
  return sums;
}

/** .treeinfo in productmd's format: Anaconda's dracut reads `[stage2] mainimage` to find the
 *  stage2 image of a `url` tree; `[checksums]` are the images' digests. */
function treeinfo(kernelVersion: string, sums: ReadonlyMap<string, string>): string {
  return [
    "[header]",
    "type = productmd.treeinfo",
    "version = 1.2",
    "",
    "[release]",
    "name = ksorch lab tree",
    "short = ksorch",
    "version = 9",
    "",
    "[tree]",
    "arch = x86_64",
    "platforms = x86_64",
    "",
    "[general]",
    "family = ksorch lab tree",
    "version = 9",
    "arch = x86_64",
    `kernel_version = ${kernelVersion}`,
    "",
    "[images-x86_64]",
    `kernel = ${KERNEL_PATH}`,
    `initrd = ${INITRD_PATH}`,
    "",
    "[stage2]",
    `mainimage = ${STAGE2_PATH}`,
    "",
    "[checksums]",
    ...[KERNEL_PATH, INITRD_PATH, STAGE2_PATH].map((i) => `${i} = sha256:${sums.get(i) ?? ""}`),
    "",
  ].join("\n");
}

/** Downloads a Debian package (cached in /var/cache/ksorch/debs) and returns its path. */
async function debianPackage(pkg: string): Promise<string> {
  await mkdir(DEBS_DIR, { recursive: true });
  const cached = (await readdir(DEBS_DIR)).find(
    (f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"),
  );
  if (cached) return join(DEBS_DIR, cached);
  await runOk(["apt-get", ...imageApt(), "download", pkg], { cwd: DEBS_DIR });
  const got = (await readdir(DEBS_DIR)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!got) throw new TaskError(`apt-get download ${pkg} left no .deb in ${DEBS_DIR}`);
  return join(DEBS_DIR, got);
}

/** Extracts the members matching `pattern` of a .deb's data into `into`. */
async function extract(deb: string, into: string, pattern: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await runOk([
    "sh",
    "-c",
    'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "$3"',
    "extract",
    deb,
    into,
    pattern,
  ]);
}

// /init of the initramfs: enough to show that the kernel booted it with our command line.
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "ksorch lab installer: kernel $(uname -r), command line: $(cat /proc/cmdline)"
exec sh
`;

async function bootFiles(
  log: (line: string) => void,
): Promise<{ kernel: Buffer; initrd: Buffer; kernelVersion: string }> {
  const meta = await runOk(["apt-cache", ...imageApt(), "depends", "linux-image-amd64"]);
  const kernelPkg = /Depends: (linux-image-\S+)/.exec(meta.stdout)?.[1];
  if (!kernelPkg) throw new TaskError("apt-cache knows no kernel for linux-image-amd64");
  log(`tree: kernel from ${kernelPkg}, initrd from busybox-static`);
  const work = join(DEBS_DIR, `extract-${process.pid}`);
  try {
    await extract(await debianPackage(kernelPkg), work, "./boot/vmlinuz-*");
    await extract(await debianPackage("busybox-static"), work, "./bin/busybox");
    const vmlinuz = (await readdir(join(work, "boot")))[0];
    if (!vmlinuz) throw new TaskError(`no vmlinuz in ${kernelPkg}`);
    const initrd = cpioNewc([
      ...["bin", "dev", "proc", "sys", "etc", "tmp"].map(dir),
      file("bin/busybox", await readFile(join(work, "bin/busybox")), 0o755),
      symlink("bin/sh", "busybox"),
      file("init", Buffer.from(INIT), 0o755),
    ]);
    return {
      kernel: await readFile(join(work, "boot", vmlinuz)),
      initrd,
      kernelVersion: vmlinuz.replace(/^vmlinuz-/, ""),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
