// Commands of an install client run in its network namespace and nothing else: the client
// uses this machine's curl and busybox, and its own NIC, MAC and ARP table.
import { run, type RunOptions, type RunResult } from "../run.js";

export const inNetns = (netns: string, argv: string[]): string[] => [
  "nsenter",
  `--net=/run/netns/${netns}`,
  ...argv,
];

export function runInNetns(netns: string, argv: string[], opts?: RunOptions): Promise<RunResult> {
  return run(inNetns(netns, argv), opts);
}

/** The MAC the namespace's ARP table holds for `ip`, if any. */
export async function neighbourMac(netns: string, ip: string): Promise<string | undefined> {
  const r = await run(["ip", "-n", netns, "neigh", "show", ip]);
  return /lladdr (\S+)/.exec(r.stdout)?.[1]?.toLowerCase();
}
