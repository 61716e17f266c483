// TFTP read requests seen on a lab's LAN: what real firmware and boot loaders asked for.
import { spawn } from "node:child_process";
import { readState } from "../../../src/lab/state.js";

/** Runs `fn` while tcpdump on lab `lab`'s LAN bridge records TFTP read requests; returns the
 *  requested file names in order. */
export async function tftpRequests(lab: string, fn: () => Promise<void>): Promise<string[]> {
  const state = await readState(lab);
  if (!state) throw new Error(`lab ${lab} is not up`);
  const { switchNs, lanBridge } = state.plan;
  const dump = spawn("nsenter", [
    `--net=/run/netns/${switchNs}`,
    "tcpdump",
    "-i",
    lanBridge,
    "-n",
    "-l",
    "udp port 69",
  ]);
  let out = "";
  dump.stdout.on("data", (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve) =>
    dump.stderr.on("data", (b: Buffer) => b.toString().includes("listening") && resolve()),
  );
  try {
    await fn();
  } finally {
    dump.kill();
  }
  return [...out.matchAll(/RRQ "([^"]+)"/g)].map((m) => m[1] ?? "");
}
