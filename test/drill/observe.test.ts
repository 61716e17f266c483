import { describe, expect, it } from "vitest";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import { collectObservations, startObservers } from "../../src/drill/observe.js";
import { FakeTransport } from "../../src/transport/fake.js";

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
  });
});
