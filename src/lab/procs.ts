// Finding the lab's processes from /proc: by network namespace (everything running inside a
// lab host) and by command line (the socats whose socket lives in the lab's run dir). Only
// processes proven to belong to the lab are ever signalled.
import { readdir, readFile, readlink, stat } from "node:fs/promises";
import { pollUntil } from "../poll.js";

export async function pids(): Promise<number[]> {
  return (await readdir("/proc")).filter((e) => /^\d+$/.test(e)).map(Number);
}

export async function isAlive(pid: number): Promise<boolean> {
  const s = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // A zombie has exited already; it only waits for its parent.
  return s !== "" && !/^\d+ \(.*\) Z /.test(s);
}

export async function cmdline(pid: number): Promise<string[]> {
  const raw = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return raw.split("\0").filter((a) => a !== "");
}

/** The inode of a named network namespace, as `readlink /proc/PID/ns/net` shows it. */
export async function netnsId(netns: string): Promise<string | undefined> {
  const s = await stat(`/run/netns/${netns}`).catch(() => undefined);
  return s ? `net:[${s.ino}]` : undefined;
}

export async function pidsInNetns(netns: string): Promise<number[]> {
  const id = await netnsId(netns);
  if (!id) return [];
  const found: number[] = [];
  for (const pid of await pids())
    if ((await readlink(`/proc/${pid}/ns/net`).catch(() => "")) === id) found.push(pid);
  return found;
}

/** Processes whose arguments mention `needle` (e.g. the lab's own socket directory). */
export async function pidsWithArg(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await pids())
    if ((await cmdline(pid)).some((a) => a.includes(needle))) found.push(pid);
  return found;
}

export function kill(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: the goal is reached.
  }
}

/** Waits until none of `list` is alive, for at most `ms`. Returns those still alive. */
export async function waitGone(list: number[], ms = 5000): Promise<number[]> {
  let left = list;
  await pollUntil(
    async () => {
      const alive = await Promise.all(left.map(isAlive));
      left = left.filter((_, i) => alive[i]);
      return left.length === 0;
    },
    ms,
    20,
  );
  return left;
}
