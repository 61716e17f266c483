// The Debian image every lab host boots from (the overlay's lower layer). Built once with
// debootstrap into a temporary directory and renamed into place, so an interrupted build
// leaves nothing that looks finished.
import { existsSync } from "node:fs";
import { copyFile, readdir, readFile, rename, rm, writeFile, chmod } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { withFileLock } from "./lock.js";
import { debianMirror } from "./mirror.js";
import { IMAGE_DIR } from "./paths.js";
import { runOk } from "./run.js";

const SUITE = "bookworm";
/** Bump when the image's contents change, so cached images are rebuilt. */
const IMAGE_VERSION = 1;
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
  "net-tools",
  "rsync",
];

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };

export interface ImageResult {
  dir: string;
  built: boolean;
  durationMs: number;
}

async function isCurrent(dir: string): Promise<boolean> {
  const text = await readFile(join(dir, MARKER), "utf8").catch(() => "");
  if (!text) return false;
  return (JSON.parse(text) as { version?: number }).version === IMAGE_VERSION;
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
  await copyFile("/etc/resolv.conf", join(tmp, "etc/resolv.conf"));
  // Only during the build: keeps package scripts from starting daemons in the chroot.
  const policy = join(tmp, "usr/sbin/policy-rc.d");
  await writeFile(policy, "#!/bin/sh\nexit 101\n");
  await chmod(policy, 0o755);
  const chroot = ["chroot", tmp];
  log("image: apt-get update and download of the server packages");
  await runOk([...chroot, "apt-get", "update"], { env: APT_ENV });
  const aptInstall = ["apt-get", "install", "-y", "--no-install-recommends"];
  await runOk([...chroot, ...aptInstall, "--download-only", "openssh-server", ...CACHED_PACKAGES], {
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
      ...chroot,
      "sh",
      "-c",
      'mount -t proc proc /proc && exec "$@"',
      "sh",
      ...aptInstall,
      "openssh-server",
    ],
    { env: APT_ENV },
  );
  // Each host makes its own host keys at first boot (ssh-keygen -A): none may be shared.
  for (const f of await readdir(join(tmp, "etc/ssh")))
    if (f.startsWith("ssh_host_")) await rm(join(tmp, "etc/ssh", f));
  await rm(policy);
  await writeFile(join(tmp, "etc/resolv.conf"), "");
  await writeFile(
    join(tmp, MARKER),
    JSON.stringify({ version: IMAGE_VERSION, suite: SUITE, cached: CACHED_PACKAGES }) + "\n",
  );
  if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  log(`image: ready in ${dir}`);
}
