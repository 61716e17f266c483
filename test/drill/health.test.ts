import { describe, expect, it } from "vitest";
import { clusterHealth, type ProbeOutcome } from "../../src/drill/health.js";
import type { ServerProbe } from "../../src/drill/probe.js";
import type { Inventory } from "../../src/inventory/types.js";

const inv = {
  servers: [
    { name: "server1", vip: "192.168.0.253", interface: "eth0" },
    { name: "server2", vip: "192.168.0.254", interface: "eth0" },
  ],
  ha: { engine: "heartbeat" },
  dhcp: { server: "isc" },
  install: { path: "pub/rh9" },
} as unknown as Inventory;

const TREE = { digest: "abc", files: 10 };

function probe(
  vips: string[],
  opts: { dhcp?: boolean; ha?: boolean; carrier?: boolean; tree?: string } = {},
): ProbeOutcome {
  const p: ServerProbe = {
    atMs: 0,
    utcOffsetMinutes: 0,
    addrs: vips.map((address) => ({
      ifname: "eth0",
      family: "inet",
      address,
      prefixLength: 24,
      label: "eth0:0",
    })),
    links: [{ ifname: "eth0", carrier: opts.carrier ?? true }],
    running: { dhcp: opts.dhcp ?? false, tftp: true, ftp: true, guard: true, ha: opts.ha ?? true },
    tree: { ...TREE, digest: opts.tree ?? TREE.digest },
    treeMissing: false,
  };
  return { ok: true, probe: p };
}

describe("clusterHealth", () => {
  it("is healthy with one owner per VIP, one DHCP server and equal trees", () => {
    const h = clusterHealth(
      inv,
      new Map([
        ["server1", probe(["192.168.0.253"], { dhcp: true })],
        ["server2", probe(["192.168.0.254"])],
      ]),
      TREE,
    );
    expect(h.problems).toEqual([]);
    expect(h.healthy).toBe(true);
    expect(h.vips).toEqual([
      { vip: "192.168.0.253", home: "server1", owners: ["server1"] },
      { vip: "192.168.0.254", home: "server2", owners: ["server2"] },
    ]);
    expect(h.dhcp).toEqual(["server1"]);
    expect(h.servers.map((s) => s.drift)).toEqual(["same", "same"]);
  });

  it("with Kea expects DHCP on every server, and names one that lacks it", () => {
    const kea = { ...inv, dhcp: { server: "kea" } } as Inventory;
    const both = clusterHealth(
      kea,
      new Map([
        ["server1", probe(["192.168.0.253"], { dhcp: true })],
        ["server2", probe(["192.168.0.254"], { dhcp: true })],
      ]),
      TREE,
    );
    expect(both.problems).toEqual([]);
    const one = clusterHealth(
      kea,
      new Map([
        ["server1", probe(["192.168.0.253"], { dhcp: true })],
        ["server2", probe(["192.168.0.254"])],
      ]),
      TREE,
    );
    expect(one.problems.map((p) => p.text)).toEqual([
      "DHCP serves from 1 servers: server1 (expected 2)",
    ]);
  });

  it("flags a VIP with two owners and one with none as blocking", () => {
    const h = clusterHealth(
      inv,
      new Map([
        ["server1", probe(["192.168.0.253"], { dhcp: true })],
        ["server2", probe(["192.168.0.253"])],
      ]),
      undefined,
    );
    expect(h.healthy).toBe(false);
    expect(h.problems).toEqual([
      { text: "192.168.0.253 is held by 2 servers: server1, server2", blocking: true },
      { text: "192.168.0.254 has no owner", blocking: true },
    ]);
  });

  it("does not count an address behind a link without carrier, and reports drift and unreachable servers", () => {
    const h = clusterHealth(
      inv,
      new Map<string, ProbeOutcome>([
        [
          "server1",
          probe(["192.168.0.253", "192.168.0.254"], { dhcp: true, carrier: false, tree: "other" }),
        ],
        ["server2", { ok: false, error: "connection refused" }],
      ]),
      TREE,
    );
    expect(h.vips.map((v) => v.owners)).toEqual([[], []]);
    expect(h.servers[0]?.drift).toBe("differs");
    expect(h.servers[1]).toEqual({
      name: "server2",
      reachable: false,
      error: "connection refused",
      drift: "unknown",
    });
    expect(h.problems.map((p) => p.text)).toEqual([
      "server1: LAN link eth0 has no carrier",
      "server1: install tree differs from the local source",
      "server2 is unreachable: connection refused",
      "192.168.0.253 has no owner among the reachable servers",
      "192.168.0.254 has no owner among the reachable servers",
      "DHCP serves from 0 servers (expected 1)",
    ]);
  });
});

describe("tree drift", () => {
  it("is unknown when the tree was not probed and missing when its directory is absent", () => {
    const notProbed = probe(["192.168.0.253"], { dhcp: true });
    if (notProbed.ok) delete notProbed.probe.tree;
    const missing = probe(["192.168.0.254"]);
    if (missing.ok) {
      delete missing.probe.tree;
      missing.probe.treeMissing = true;
    }
    const h = clusterHealth(
      inv,
      new Map([
        ["server1", notProbed],
        ["server2", missing],
      ]),
      TREE,
    );
    expect(h.servers.map((s) => s.drift)).toEqual(["unknown", "missing"]);
  });
});
