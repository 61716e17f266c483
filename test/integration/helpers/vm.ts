// A real PC (QEMU with SeaBIOS + iPXE, or OVMF; scripts/lab-pxe-vm.sh) on a lab's LAN, and the
// TFTP read requests seen there: what its firmware and boot loaders asked for, and when.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { execInHost } from "../../../src/lab/exec.js";
import { cutLink } from "../../../src/lab/faults.js";
import { readState } from "../../../src/lab/state.js";
import { REPO } from "./lab.js";

/** A TFTP read request seen on the LAN: the file, the address it was sent to, and when it was
 *  seen (epoch ms). */
export interface TftpRequest {
  file: string;
  to: string;
  atMs: number;
}

/** Runs `fn` while tcpdump on lab `lab`'s LAN bridge records TFTP read requests; returns them
 *  in order, and calls `onRequest` for each as it is seen. */
export async function tftpRequests(
  lab: string,
  fn: () => Promise<void>,
  onRequest?: (r: TftpRequest) => void,
): Promise<TftpRequest[]> {
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
  const seen: TftpRequest[] = [];
  let rest = "";
  dump.stdout.on("data", (b: Buffer) => {
    const lines = (rest + b.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      const m = /> ([\d.]+)\.69: .*RRQ "([^"]+)"/.exec(line);
      if (!m?.[1] || !m[2]) continue;
      const r = { file: m[2].replace(/^\//, ""), to: m[1], atMs: Date.now() };
      seen.push(r);
      onRequest?.(r);
    }
  });
  await new Promise<void>((resolve) =>
    dump.stderr.on("data", (b: Buffer) => b.toString().includes("listening") && resolve()),
  );
  try {
    await fn();
  } finally {
    dump.kill();
  }
  return seen;
}

/** A client of `ksorch plan --json`: the VM boots as this client. */
export interface VmClient {
  client: string;
  mac: string;
  pxelinuxFile: string;
}

export interface VmOptions {
  /** What the VM receives is shaped to this many Mbit/s. */
  rateMbit?: number;
  /** The PC may reboot (and boot from the network again) rather than stop. */
  reboot?: boolean;
  onRequest?: (r: TftpRequest) => void;
}

/**
 * Boots `FIRMWARE=firmware scripts/lab-pxe-vm.sh` as client `c` of lab `lab` until the serial
 * console shows `until`: the client's boot config on each server (GRUB's, or pxelinux's for
 * bios) gets console=ttyS0 (the serial console is the test's only window on the kernel), and
 * the emulated client is unplugged for good (the VM takes its MAC). Returns the serial console
 * and the TFTP requests, in order.
 */
export async function bootVm(
  lab: string,
  c: VmClient,
  firmware: "bios" | "uefi" | "secureboot",
  until: string,
  seconds: number,
  opts: VmOptions = {},
): Promise<{ console: string; asked: string[]; requests: TftpRequest[] }> {
  const [cfg, line] =
    firmware === "bios"
      ? [`/srv/tftp/pxelinux.cfg/${c.pxelinuxFile}`, "^  APPEND .*"]
      : [`/srv/tftp/grub/grub.cfg-${c.pxelinuxFile}`, "^  linux .*"];
  for (const server of ["server1", "server2"])
    await execInHost(lab, server, ["sed", "-i", `s|${line}|& console=ttyS0|`, cfg]);
  await cutLink(lab, c.client, "eth0");
  let console = "";
  const env: Record<string, string> = { FIRMWARE: firmware };
  if (opts.rateMbit) env.RATE_MBIT = String(opts.rateMbit);
  if (opts.reboot) env.REBOOT = "1";
  const requests = await tftpRequests(
    lab,
    async () => {
      const vm = await promisify(execFile)(
        join(REPO, "scripts/lab-pxe-vm.sh"),
        [lab, c.mac, until, String(seconds)],
        { env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
      );
      console = vm.stdout;
    },
    opts.onRequest,
  );
  return { console, asked: requests.map((r) => r.file), requests };
}
