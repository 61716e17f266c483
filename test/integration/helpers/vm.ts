// A real UEFI PC (QEMU + OVMF, scripts/lab-pxe-vm.sh) on a lab's LAN, and the TFTP read
// requests seen there: what its firmware and boot loaders asked for.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { execInHost } from "../../../src/lab/exec.js";
import { cutLink } from "../../../src/lab/faults.js";
import { readState } from "../../../src/lab/state.js";
import { REPO } from "./lab.js";

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

/** A client of `ksorch plan --json`: the VM boots as this client. */
export interface VmClient {
  client: string;
  mac: string;
  pxelinuxFile: string;
}

/**
 * Boots `FIRMWARE=firmware scripts/lab-pxe-vm.sh` as client `c` of lab `lab` until the serial
 * console shows `until`: the client's GRUB config on each server gets console=ttyS0 (the serial
 * console is the test's only window on the kernel), and the emulated client is unplugged for
 * good (the VM takes its MAC). Returns the serial console and the TFTP requests, in order,
 * without GRUB's leading slash (tftpd --secure reads both the same way).
 */
export async function bootUefiVm(
  lab: string,
  c: VmClient,
  firmware: "uefi" | "secureboot",
  until: string,
  seconds: number,
): Promise<{ console: string; asked: string[] }> {
  for (const server of ["server1", "server2"]) {
    const cfg = `/srv/tftp/grub/grub.cfg-${c.pxelinuxFile}`;
    await execInHost(lab, server, ["sed", "-i", "s|^  linux .*|& console=ttyS0|", cfg]);
  }
  await cutLink(lab, c.client, "eth0");
  let console = "";
  const asked = await tftpRequests(lab, async () => {
    const vm = await promisify(execFile)(
      join(REPO, "scripts/lab-pxe-vm.sh"),
      [lab, c.mac, until, String(seconds)],
      { env: { ...process.env, FIRMWARE: firmware }, maxBuffer: 16 << 20 },
    );
    console = vm.stdout;
  });
  return { console, asked: asked.map((f) => f.replace(/^\//, "")) };
}
