// DHCP for an install client: busybox udhcpc, asking as a PXE client would (vendor class
// "PXEClient", client system architecture in option 93), configures the leased address and
// reports the lease fields.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_ARCH, type Firmware } from "./grub.js";
import type { Lease } from "./report.js";
import { runInNetns } from "./netns.js";

// udhcpc calls this with the lease in its environment; siaddr and boot_file are the BOOTP
// header's next-server and file fields, reboottime option 211 (pxelinux.reboottime).
const SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    echo "KSORCH_LEASE ip=$ip mask=$mask siaddr=$siaddr boot_file=$boot_file serverid=$serverid reboottime=$reboottime" ;;
esac
`;

export async function writeDhcpScript(dir: string): Promise<string> {
  const file = join(dir, "udhcpc.script");
  await writeFile(file, SCRIPT);
  await chmod(file, 0o755);
  return file;
}

export function parseLease(output: string): Lease | undefined {
  const line = output.split("\n").find((l) => l.startsWith("KSORCH_LEASE "));
  if (!line) return undefined;
  const f = new Map(
    line
      .slice("KSORCH_LEASE ".length)
      .split(" ")
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as const),
  );
  const ip = f.get("ip");
  if (!ip) return undefined;
  const reboot = Number(f.get("reboottime") || NaN);
  return {
    ip,
    mask: Number(f.get("mask") || 24),
    siaddr: f.get("siaddr") ?? "",
    bootFile: f.get("boot_file") ?? "",
    serverId: f.get("serverid") ?? "",
    ...(Number.isInteger(reboot) ? { rebootS: reboot } : {}),
  };
}

/** udhcpc's `-x` value for option 93: the architecture as two bytes in hex (`0x5d:0007`). */
export function archOption(firmware: Firmware): string {
  return `0x5d:${CLIENT_ARCH[firmware].toString(16).padStart(4, "0")}`;
}

/** One DISCOVER, waiting `waitS` seconds (whole seconds, udhcpc's -T) for an offer. */
export async function requestLease(
  netns: string,
  script: string,
  firmware: Firmware = "bios",
  waitS = 1,
): Promise<Lease | undefined> {
  const wait = String(Math.max(1, Math.round(waitS)));
  const r = await runInNetns(
    netns,
    ["busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "1", "-T", wait, "-A", "0"].concat([
      "-V",
      "PXEClient",
      "-x",
      archOption(firmware),
      "-s",
      script,
    ]),
    { timeoutMs: (Number(wait) + 10) * 1000 },
  );
  return parseLease(r.stdout);
}
