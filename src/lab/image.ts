// The Debian image every lab host boots from (the overlay's lower layer). Built once with
// debootstrap into a temporary directory and renamed into place, so an interrupted build
// leaves nothing that looks finished. A new version (more cached packages) starts from a copy
// of the newest older image when there is one: same base files, so a running lab's server
// that reboots onto the new version finds what its disk was made on, and no debootstrap.
import { existsSync } from "node:fs";
import { copyFile, readdir, readFile, rename, rm, writeFile, chmod } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { withFileLock } from "./lock.js";
import { debianMirror } from "./mirror.js";
import { IMAGE_DIR, IMAGE_VERSION } from "./paths.js";
import { runOk } from "./run.js";

const SUITE = "bookworm";
const MARKER = ".ksorch-image.json";

/** Installed: what a bare server has before `ksorch apply` (sshd, tools, an init). */
const INSTALLED = [
  "iproute2",
  "iputils-ping",
  "procps",
  "psmisc",
  "curl",
  "ca-certificates",
  "netbase",
  "tini",
];

/** Downloaded but not installed: `ksorch apply` installs them offline inside a server. */
export const CACHED_PACKAGES = [
  "isc-dhcp-server",
  "tftpd-hpa",
  "vsftpd",
  "heartbeat",
  "keepalived",
  "pxelinux",
  "syslinux-common",
  "tcpdump",
  "rsync",
  // Since version 2: HTTP install source, and GRUB's EFI modules for UEFI clients.
  "lighttpd",
  "grub-efi-amd64-bin",
  // Kea (dhcp.server: kea); kea-common, a dependency, holds the HA hook.
  "kea-dhcp4-server",
  // Secure Boot clients: the Microsoft-signed shim and Debian's signed network GRUB.
  "shim-signed",
  "grub-efi-amd64-signed",
];

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };

export interface ImageResult {
  dir: string;
  built: boolean;
  durationMs: number;
}

interface Marker {
  version?: number;
  cached?: string[];
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  const text = await readFile(join(dir, MARKER), "utf8").catch(() => "");
  return text ? (JSON.parse(text) as Marker) : undefined;
}

async function imageVersion(dir: string): Promise<number | undefined> {
  return (await readMarker(dir))?.version;
}

/**
 * Of the current version and caching every package of CACHED_PACKAGES. Branches that add
 * packages without a new version (several at once) then converge on one image that caches
 * them all, instead of each taking the other's image for its own.
 */
export async function isCurrent(dir: string): Promise<boolean> {
  const marker = await readMarker(dir);
  const cached = new Set(marker?.cached ?? []);
  return marker?.version === IMAGE_VERSION && CACHED_PACKAGES.every((p) => cached.has(p));
}

/**
 * The newest finished image of this or an older version beside `dir` (`image`, `image-vN`),
 * which the new image is copied from. `dir` itself qualifies when it lacks packages.
 */
export async function olderImage(dir: string): Promise<string | undefined> {
  const parent = dirname(dir);
  let best: { dir: string; version: number } | undefined;
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    if (!/^image(-v\d+)?$/.test(entry)) continue;
    const version = await imageVersion(join(parent, entry));
    if (version !== undefined && version <= IMAGE_VERSION && version > (best?.version ?? 0))
      best = { dir: join(parent, entry), version };
  }
  return best?.dir;
}

/** Returns the cached image, building it first when it is missing or out of date. */
export async function ensureImage(
  log: (line: string) => void,
  dir: string = IMAGE_DIR,
): Promise<ImageResult> {
  const started = performance.now();
  if (await isCurrent(dir)) return { dir, built: false, durationMs: 0 };
  return withFileLock(`${dir}.lock`, "image", log, async () => {
    // Another run may have built it while we waited for the lock.
    if (await isCurrent(dir)) return { dir, built: false, durationMs: 0 };
    await buildImage(dir, log);
    return { dir, built: true, durationMs: Math.round(performance.now() - started) };
  });
}

async function removeStale(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.tmp-`;
  for (const entry of await readdir(parent).catch(() => [] as string[]))
    if (entry.startsWith(prefix)) await rm(join(parent, entry), { recursive: true, force: true });
}

async function buildImage(dir: string, log: (line: string) => void): Promise<void> {
  await runOk(["mkdir", "-p", dirname(dir)]);
  await removeStale(dir);
  const tmp = `${dir}.tmp-${process.pid}`;
  const seed = await olderImage(dir);
  if (seed) {
    log(`image: copying ${seed} into ${tmp}, then downloading the packages it lacks`);
    await runOk(["cp", "-a", "--reflink=auto", seed, tmp]);
  } else await bootstrap(tmp, log);
  await copyFile("/etc/resolv.conf", join(tmp, "etc/resolv.conf"));
  // Only during the build: keeps package scripts from starting daemons in the chroot.
  const policy = join(tmp, "usr/sbin/policy-rc.d");
  await writeFile(policy, "#!/bin/sh\nexit 101\n");
  await chmod(policy, 0o755);
  // A copied image keeps its apt lists: the packages it already caches match them.
  if (!seed) await installSshd(tmp, log);
  log("image: download of the server packages");
  await runOk(["chroot", tmp, ...APT_INSTALL, "--download-only", ...CACHED_PACKAGES], {
    env: APT_ENV,
  });
  await rm(policy);
  await writeFile(join(tmp, "etc/resolv.conf"), "");
  await writeFile(
    join(tmp, MARKER),
    JSON.stringify({ version: IMAGE_VERSION, suite: SUITE, cached: CACHED_PACKAGES }) + "\n",
  );
  // An out-of-date directory under this name may still be a running lab's lower layer:
  // moved aside (a rename keeps its mounts intact), never deleted here.
  if (existsSync(dir)) {
    const aside = `${dir}.replaced-${Date.now()}`;
    await rename(dir, aside);
    log(`image: the out-of-date ${dir} is now ${aside} (delete it once no lab uses it)`);
  }
  await rename(tmp, dir);
  log(`image: ready in ${dir}`);
}

const APT_INSTALL = ["apt-get", "install", "-y", "--no-install-recommends"];

/** A fresh minbase system. */
async function bootstrap(tmp: string, log: (line: string) => void): Promise<void> {
  const mirror = await debianMirror(SUITE);
  log(`image: debootstrap ${SUITE} (minbase) into ${tmp}`);
  // A private mount namespace: if debootstrap is interrupted, its /proc and /sys mounts in
  // the target go away with it instead of pinning the temporary directory.
  await runOk(
    [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "debootstrap",
      "--variant=minbase",
      `--include=${INSTALLED.join(",")}`,
      SUITE,
      tmp,
      mirror,
    ],
    { env: APT_ENV },
  );
}

/** apt lists, then openssh-server installed offline in empty network and pid namespaces. */
async function installSshd(tmp: string, log: (line: string) => void): Promise<void> {
  log("image: apt-get update");
  await runOk(["chroot", tmp, "apt-get", "update"], { env: APT_ENV });
  await runOk(["chroot", tmp, ...APT_INSTALL, "--download-only", "openssh-server"], {
    env: APT_ENV,
  });
  log("image: installing openssh-server offline, in empty network and pid namespaces");
  await runOk(
    [
      "unshare",
      "--net",
      "--pid",
      "--fork",
      "--mount",
      "--propagation",
      "private",
      "chroot",
      tmp,
      "sh",
      "-c",
      'mount -t proc proc /proc && exec "$@"',
      "sh",
      ...APT_INSTALL,
      "openssh-server",
    ],
    { env: APT_ENV },
  );
  // Each host makes its own host keys at first boot (ssh-keygen -A): none may be shared.
  for (const f of await readdir(join(tmp, "etc/ssh")))
    if (f.startsWith("ssh_host_")) await rm(join(tmp, "etc/ssh", f));
}
