import { describe, expect, it } from "vitest";
import type { ProbeOutcome } from "../../src/drill/health.js";
import { clocksOf, drillSetup, servicesOf, snapshotsOf } from "../../src/drill/setup.js";
import { loadInventory } from "../../src/inventory/load.js";

const inv = loadInventory("inventory/lab.yaml");
const AT = Date.UTC(2026, 10, 27, 14, 0, 0);

const probes = new Map<string, ProbeOutcome>([
  [
    "server1",
    {
      ok: true,
      probe: {
        atMs: AT,
        utcOffsetMinutes: 60,
        addrs: [
          {
            ifname: "eth0",
            family: "inet",
            address: "192.168.0.253",
            prefixLength: 24,
            label: "eth0:0",
          },
        ],
        links: [{ ifname: "eth0", carrier: true, mac: "02:6b:73:00:01:01" }],
        running: { dhcp: true, tftp: true, ftp: true, guard: true, ha: true },
        treeMissing: false,
      },
    },
  ],
  ["server2", { ok: false, error: "powered off" }],
]);

describe("drill setup from probes", () => {
  it("takes VIP homes, DHCP home, limits and the LAN MACs the servers report", () => {
    const setup = drillSetup(inv, "crash", "server1", ["192.168.0.253"], probes);
    expect(setup).toMatchObject({
      engine: "heartbeat",
      mode: "crash",
      target: "server1",
      targetVips: ["192.168.0.253"],
      vips: [
        { vip: "192.168.0.253", home: "server1" },
        { vip: "192.168.0.254", home: "server2" },
      ],
      dhcpHome: "server1",
      dhcpServer: "isc",
      maxTakeoverMs: 2000,
      autoFailback: true,
    });
    expect(setup.lan.server1).toEqual({
      interface: "eth0",
      mac: "02:6b:73:00:01:01",
      address: "192.168.0.1",
    });
    expect(setup.lan.server2?.mac).toBe("");
    expect(setup.clientIps).toHaveLength(8);
  });

  it("keeps only servers that answered, with their own clock and carrier", () => {
    expect(snapshotsOf(probes).map((s) => [s.server, s.atMs])).toEqual([["server1", AT]]);
    expect([...clocksOf(probes)]).toEqual([["server1", { year: 2026, utcOffsetMinutes: 60 }]]);
    expect(servicesOf(inv, probes, "after-takeover")).toEqual([
      {
        server: "server1",
        atMs: AT,
        phase: "after-takeover",
        dhcp: true,
        tftp: true,
        ftp: true,
        guard: true,
        ha: true,
        lanUp: true,
      },
    ]);
  });
});
