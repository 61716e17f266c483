// The drill's remote commands against the real tools (iproute2, tcpdump, setsid) in a
// throwaway network namespace with its own /var/tmp: observers start detached, record an
// address change, a gratuitous ARP and a link cut with its self-restoring timer, stop by PID,
// and what they wrote parses. Needs root.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMonitorLine } from "../../src/drill/ipaddr.js";
import {
  captureReadyCommand,
  linkDownCommand,
  prepareCommand,
  readObserverCommand,
  startCaptureCommand,
  startMonitorCommand,
  stopObserversCommand,
} from "../../src/drill/remote.js";
import { gratuitousArpFor, parseTcpdumpLine } from "../../src/drill/tcpdump.js";

const NS = `ksdrill-${process.pid}`;
const VIP = "192.168.77.253";
const MAC = "02:00:00:77:00:01";

// A gratuitous ARP request for VIP from MAC, as heartbeat's send_arp sends it.
const GARP = `python3 -c '
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
m = bytes.fromhex("${MAC.replace(/:/g, "")}"); i = socket.inet_aton("${VIP}")
s.send(b"\\xff" * 6 + m + struct.pack("!H", 0x0806) + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + m + i + b"\\x00" * 6 + i)'`;

const ip = (...args: string[]): void => void execFileSync("ip", args);

/** Runs a script in the namespace with a private, empty /var/tmp. */
function inNamespace(script: string): string {
  return execFileSync(
    "ip",
    ["netns", "exec", NS, "unshare", "-m", "sh", "-c", `mount -t tmpfs none /var/tmp && ${script}`],
    { encoding: "utf8", timeout: 30_000 },
  );
}

describe("drill remote commands", () => {
  beforeAll(() => {
    ip("netns", "add", NS);
    ip("-n", NS, "link", "add", "eth0", "address", MAC, "type", "veth", "peer", "name", "eth1");
    for (const dev of ["lo", "eth0", "eth1"]) ip("-n", NS, "link", "set", dev, "up");
  });
  afterAll(() => ip("netns", "del", NS));

  it("observe an address, a gratuitous ARP and a self-restoring link cut, then stop by PID", () => {
    const out = inNamespace(
      [
        prepareCommand(),
        startMonitorCommand(),
        startCaptureCommand("eth0", [VIP]),
        `for i in $(seq 50); do ${captureReadyCommand()} && break; sleep 0.1; done`,
        `ip addr add ${VIP}/24 dev eth0 label eth0:0`,
        GARP,
        // The timer brings the link back by itself after 1 s.
        linkDownCommand("eth0", 1),
        "sleep 1.5",
        "pids=$(cat /var/tmp/ksorch-drill/monitor.pid /var/tmp/ksorch-drill/tcpdump.pid)",
        stopObserversCommand(),
        "sleep 0.2",
        "echo @monitor",
        readObserverCommand("monitor"),
        "echo @tcpdump",
        readObserverCommand("tcpdump"),
        "echo @left",
        // Only our own PIDs: other drills on this machine may run their own tcpdump.
        'ls /var/tmp/ksorch-drill/*.pid 2>/dev/null; for p in $pids; do kill -0 "$p" 2>/dev/null && echo "alive $p"; done; true',
      ].join("\n"),
    );
    const [, monitorText = "", rest = ""] = out.split(/^@monitor$|^@tcpdump$/m);
    const [dumpText = "", left = ""] = rest.split(/^@left$/m);
    const monitor = monitorText.split("\n").flatMap((l) => parseMonitorLine(l) ?? []);
    const added = monitor.find((m) => m.kind === "addr" && m.entry.address === VIP && !m.deleted);
    expect(added?.kind === "addr" && added.entry.label).toBe("eth0:0");
    const carrier = monitor.flatMap((m) =>
      m.kind === "link" && m.entry.ifname === "eth0" ? [m.entry.carrier] : [],
    );
    expect(carrier).toContain(false);
    expect(carrier.at(-1)).toBe(true);
    const stamps = monitor.map((m) => m.atMs);
    expect(Math.abs((stamps[0] ?? 0) - Date.now())).toBeLessThan(30_000);
    const packets = dumpText.split("\n").flatMap((l) => parseTcpdumpLine(l) ?? []);
    expect(packets.some((p) => p.srcMac === MAC && gratuitousArpFor(p) === VIP)).toBe(true);
    // Nothing left running, no PID files left.
    expect(left.trim()).toBe("");
  });
});
