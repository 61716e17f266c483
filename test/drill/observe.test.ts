import { describe, expect, it, vi } from "vitest";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import { collectObservations, startObservers } from "../../src/drill/observe.js";
import { FakeTransport } from "../../src/transport/fake.js";

const SAMPLES = [
  "@ 1795789767100000000",
  "2: eth0    inet 192.168.0.1/24 brd 192.168.0.255 scope global eth0\\       valid_lft forever preferred_lft forever",
  "2: eth0    inet 192.168.0.253/24 brd 192.168.0.255 scope global secondary eth0:0\\       valid_lft forever preferred_lft forever",
  "2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:6b:73:00:01:02 brd ff:ff:ff:ff:ff:ff link-netns ks-lab-sw",
  "@ 1795789767195000000",
  "",
].join("\n");

const servers = [
  { name: "server1", lanInterface: "eth0", capture: false },
  { name: "server2", lanInterface: "eth0", capture: true },
];

describe("observers", () => {
  it("start: a fresh drill dir, ip monitor everywhere, tcpdump only off the target, log offsets", async () => {
    const hosts = servers.map(
      (s) =>
        new FakeTransport(s.name, [
          { match: "stat -c %s", answer: { stdout: s.name === "server1" ? "1200\n" : "0\n" } },
          { match: () => true, answer: {} },
        ]),
    );
    const offsets = await startObservers(
      servers,
      new Map(hosts.map((h) => [h.host, h])),
      ["192.168.0.253", "192.168.0.254"],
      heartbeatOps,
    );
    expect([...offsets]).toEqual([
      ["server1", 1200],
      ["server2", 0],
    ]);
    const [one, two] = hosts.map((h) => h.commands());
    expect(one?.[0]).toContain("rm -rf /var/tmp/ksorch-drill");
    expect(one?.some((c) => c.includes("ip -o -ts monitor address link"))).toBe(true);
    // The ownership sampler runs on every server, the target included, detached with its PID.
    for (const cmds of [one, two]) {
      const sampler = cmds?.find((c) => c.startsWith("setsid sh -c"));
      expect(sampler).toMatch(
        /^setsid sh -c .*ip -o -4 addr show; ip -o link show.* ksorch-sampler >>/s,
      );
      expect(sampler).toContain("echo $! >/var/tmp/ksorch-drill/sampler.pid");
    }
    expect(one?.some((c) => c.includes("setsid tcpdump"))).toBe(false);
    expect(two?.some((c) => c.startsWith("setsid tcpdump -l -n -e -tt -i eth0"))).toBe(true);
    // tcpdump is confirmed listening before the fault can be injected.
    expect(two?.at(-1)).toContain("listening on");
  });

  it("collect: stops the observers first, then parses what each server recorded", async () => {
    const mk = (name: string, monitor: string, dump: string, log: string) =>
      new FakeTransport(name, [
        { match: "cat /var/tmp/ksorch-drill/monitor", answer: { stdout: monitor } },
        { match: "cat /var/tmp/ksorch-drill/tcpdump", answer: { stdout: dump } },
        { match: "tail -c", answer: { stdout: log } },
        { match: "cat /var/tmp/ksorch-drill/sampler", answer: { stdout: SAMPLES } },
        { match: () => true, answer: {} },
      ]);
    const s1 = mk(
      "server1",
      "[2026-11-27T14:29:27.104000] Deleted 2: eth0    inet 192.168.0.253/24 brd 192.168.0.255 scope global secondary eth0:0\\       valid_lft forever preferred_lft forever\n",
      "",
      "",
    );
    const s2 = mk(
      "server2",
      "[2026-11-27T14:29:27.455000] 2: eth0    inet 192.168.0.253/24 brd 192.168.0.255 scope global secondary eth0:1\\       valid_lft forever preferred_lft forever\n",
      "1795789767.470000 02:6b:73:00:01:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.0.253 tell 192.168.0.253, length 28\nnot a packet\n",
      "2026/11/27_14:29:27  ResourceManager(default)[2274]:    info: Acquiring resource group: server1 IPaddr::192.168.0.253/24/eth0 isc-dhcp-server\n",
    );
    const clock = { year: 2026, utcOffsetMinutes: 0 };
    const rec = await collectObservations(
      servers,
      new Map([
        ["server1", s1],
        ["server2", s2],
      ]),
      new Map([
        ["server1", 0],
        ["server2", 500],
      ]),
      new Map([
        ["server1", clock],
        ["server2", clock],
      ]),
      heartbeatOps,
    );
    expect(s1.commands()[0]).toMatch(/monitor\.pid/);
    expect(s2.commands().find((c) => c.startsWith("tail"))).toBe(
      "tail -c +501 /var/log/ha-log 2>/dev/null || true",
    );
    expect(rec.monitor.map((m) => [m.server, m.line.kind === "addr" && m.line.deleted])).toEqual([
      ["server1", true],
      ["server2", false],
    ]);
    expect(rec.packets).toHaveLength(1);
    expect(rec.packets[0]?.server).toBe("server2");
    expect(rec.haLog.map((l) => [l.server, l.entry.event?.kind])).toEqual([["server2", "acquire"]]);
    // Each server's samples: the changed one is a snapshot, stamped by the server.
    expect(rec.sampled.map((x) => [x.server, x.atMs, x.addrs.map((a) => a.address)])).toEqual([
      ["server1", 1795789767100, ["192.168.0.1", "192.168.0.253"]],
      ["server2", 1795789767100, ["192.168.0.1", "192.168.0.253"]],
    ]);
    expect(rec.sampling).toEqual([
      { server: "server1", samples: 2, maxGapMs: 95, medianGapMs: 95 },
      { server: "server2", samples: 2, maxGapMs: 95, medianGapMs: 95 },
    ]);
    expect(rec.unread).toEqual([]);
  });

  it("collect: a server that does not answer adds nothing and does not stop the others", async () => {
    const hung = new FakeTransport("server1");
    hung.run = () => new Promise(() => undefined);
    const ok = new FakeTransport("server2", [
      { match: "cat /var/tmp/ksorch-drill/sampler", answer: { stdout: SAMPLES } },
      { match: () => true, answer: {} },
    ]);
    vi.useFakeTimers();
    try {
      const collecting = collectObservations(
        servers,
        new Map([
          ["server1", hung],
          ["server2", ok],
        ]),
        new Map(),
        new Map(),
        heartbeatOps,
      );
      await vi.advanceTimersByTimeAsync(61_000);
      const rec = await collecting;
      expect(rec.unread.map((u) => u.server)).toEqual(["server1"]);
      expect(rec.sampled.map((x) => x.server)).toEqual(["server2"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
