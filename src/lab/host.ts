// A lab host: its own mount, pid, UTS and IPC namespaces inside a named network namespace,
// with an overlay over the cached image as its disk. Its PID 1 is tini (reaps orphans, as
// init does); killing that process powers the whole host off at once.
import { mkdir, readdir, readFile } from "node:fs/promises";
import { TaskError } from "../errors.js";
import { sleep } from "../poll.js";
import { IMAGE_DIR, hostPaths } from "./paths.js";
import { cmdline, isAlive } from "./procs.js";
import { runOk, spawnDetached, type RunOptions, type RunResult } from "./run.js";

// Runs as PID 1 of the new pid namespace, before and until pivot_root; then becomes tini.
// /run and /tmp are fresh tmpfs at every boot; the overlay upper dir is the persistent disk.
const BOOT_SCRIPT = String.raw`
set -e
lower=$1 upper=$2 work=$3 merged=$4 host=$5
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$merged"
cd "$merged"
mount -t proc proc proc
mount -t sysfs sysfs sys
mount -t tmpfs -o mode=755,size=16m tmpfs dev
for d in null zero full random urandom tty; do touch dev/$d; mount --bind /dev/$d dev/$d; done
mkdir dev/pts dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts dev/pts
ln -s pts/ptmx dev/ptmx
ln -s /proc/self/fd dev/fd
mount -t tmpfs -o mode=1777 tmpfs dev/shm
mount -t tmpfs -o mode=755 tmpfs run
mount -t tmpfs -o mode=1777 tmpfs tmp
mkdir -p run/sshd run/lock
hostname "$host"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
exec /usr/bin/tini -- sleep infinity
`;

const HOST_ENV = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOME=/root",
  "LANG=C.UTF-8",
];

export interface BootedHost {
  initPid: number;
  /** True when the host's disk was empty before this boot. */
  firstBoot: boolean;
}

async function childOf(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  const first = text.trim().split(/\s+/)[0];
  return first ? Number(first) : undefined;
}

/** Starts the host's init in `netns` and waits until it has become tini. */
export async function bootHost(lab: string, host: string, netns: string): Promise<BootedHost> {
  const p = hostPaths(lab, host);
  const firstBoot = !(await isNonEmptyDir(p.upper));
  for (const d of [p.upper, p.work, p.merged]) await mkdir(d, { recursive: true });
  const unsharePid = await spawnDetached(
    [
      "nsenter",
      `--net=/run/netns/${netns}`,
      "unshare",
      "--mount",
      "--pid",
      "--uts",
      "--ipc",
      "--fork",
      "--propagation",
      "private",
      "sh",
      "-c",
      BOOT_SCRIPT,
      "boot",
      IMAGE_DIR,
      p.upper,
      p.work,
      p.merged,
      host,
    ],
    p.console,
  );
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const init = await childOf(unsharePid);
    if (init !== undefined && (await cmdline(init))[0] === "/usr/bin/tini")
      return { initPid: init, firstBoot };
    if (!(await isAlive(unsharePid))) break;
    await sleep(10);
  }
  const log = await readFile(p.console, "utf8").catch(() => "");
  throw new TaskError(`${host}: init did not come up\n${log.split("\n").slice(-8).join("\n")}`);
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [])).length > 0;
}

/** argv for running a command inside a host, with a clean environment. */
export function inHostArgv(initPid: number, argv: string[]): string[] {
  return [
    "nsenter",
    "-t",
    String(initPid),
    "-m",
    "-u",
    "-i",
    "-n",
    "-p",
    "-r",
    "-w",
    "--",
    "env",
    "-i",
    ...HOST_ENV,
    ...argv,
  ];
}

export function runInHostOk(
  initPid: number,
  argv: string[],
  opts?: RunOptions,
): Promise<RunResult> {
  return runOk(inHostArgv(initPid, argv), opts);
}
