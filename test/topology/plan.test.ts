import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadInventory, parseInventory } from "../../src/inventory/load.js";
import type { Inventory } from "../../src/inventory/types.js";
import { planTopology, pxelinuxFileName } from "../../src/topology/plan.js";
import { LAB_FILE } from "../inventory/fixture.js";

/** A cluster of `n` servers (.1 .. .n, VIPs .201 ..) and clients at the given last octets. */
function cluster(n: number, octets: number[], balance: "parity" | "modulo"): Inventory {
  const servers = Array.from(
    { length: n },
    (_, i) =>
      `  s${i + 1}: { ssh: { host: 127.0.0.1 }, address: 10.9.0.${i + 1}, heartbeat: { interface: eth1, address: 172.16.0.${i + 1} }, vip: 10.9.0.${201 + i} }`,
  );
  const clients = octets.map(
    (o) => `  c${o}: { mac: "02:00:00:00:00:${o.toString(16).padStart(2, "0")}", ip: 10.9.0.${o} }`,
  );
  // No os: the paper's Red Hat, which packages no heartbeat: keepalived for any count.
  const text = [
    "name: cluster",
    "network: { subnet: 10.9.0.0/24 }",
    "servers:",
    ...servers,
    `install: { path: pub/el9, source: /tree, balance: ${balance} }`,
    "clients:",
    ...clients,
  ].join("\n");
  return parseInventory(text, "/t/cluster.yaml");
}

describe("pxelinux file names", () => {
  it.each([
    ["192.168.0.128", "C0A80080"],
    ["10.0.0.1", "0A000001"],
    ["255.255.255.254", "FFFFFFFE"],
  ])("%s -> %s", (ip, hex) => expect(pxelinuxFileName(ip)).toBe(hex));
});

describe("parity (the paper's rule) on the lab inventory", () => {
  const topo = planTopology(loadInventory(LAB_FILE));
  const row = (ip: string) => topo.clients.find((c) => c.ip === ip);

  it("sends even addresses to server2 through kseven.cfg", () => {
    expect(row("192.168.0.128")).toEqual({
      client: "client1",
      mac: "00:0c:29:20:50:90",
      ip: "192.168.0.128",
      pxelinuxFile: "C0A80080",
      kickstartFile: "kseven.cfg",
      vip: "192.168.0.254",
      server: "server2",
      backup: "server1",
      backupVip: "192.168.0.253",
    });
  });

  it("sends odd addresses to server1 through ksodd.cfg", () => {
    expect(row("192.168.0.129")).toMatchObject({
      pxelinuxFile: "C0A80081",
      kickstartFile: "ksodd.cfg",
      vip: "192.168.0.253",
      server: "server1",
      backup: "server2",
    });
  });

  it("makes each server the other's backup", () => {
    expect(topo.servers.map((s) => [s.name, s.vip, s.backupFor])).toEqual([
      ["server1", "192.168.0.253", [{ server: "server2", vip: "192.168.0.254" }]],
      ["server2", "192.168.0.254", [{ server: "server1", vip: "192.168.0.253" }]],
    ]);
    expect(topo.servers[0]?.clients).toEqual(["client2", "client4", "client6", "client8"]);
  });
});

describe("modulo", () => {
  const octets = [10, 11, 12, 13, 14, 15, 100, 150, 199];

  it("agrees with parity when there are two servers", () => {
    const parity = planTopology(cluster(2, octets, "parity"));
    const modulo = planTopology(cluster(2, octets, "modulo"));
    expect(modulo.clients).toEqual(parity.clients);
    expect(modulo.servers).toEqual(parity.servers);
  });

  it("spreads clients over three servers by address, with ring backups", () => {
    const topo = planTopology(cluster(3, [10, 11, 12, 13], "modulo"));
    // 10.9.0.x as an integer is 0x0A090000 + x; (ip - 1) mod 3 picks the server.
    const expected = [10, 11, 12, 13].map((o) => (0x0a090000 + o - 1) % 3);
    const names = ["s1", "s2", "s3"];
    expect(topo.clients.map((c) => c.server)).toEqual(expected.map((i) => names[i]));
    expect(topo.clients.map((c) => c.backup)).toEqual(expected.map((i) => names[(i + 1) % 3]));
    expect(new Set(topo.clients.map((c) => c.server)).size).toBe(3);
    for (const c of topo.clients) {
      const owner = topo.servers.find((s) => s.name === c.server);
      expect(c.vip).toBe(owner?.vip);
      expect(c.kickstartFile).toBe(`ks-${c.server}.cfg`);
    }
    expect(topo.servers.map((s) => s.backupFor.map((b) => b.server))).toEqual([
      ["s3"],
      ["s1"],
      ["s2"],
    ]);
  });

  it("is deterministic and does not touch its input", () => {
    const inv = cluster(3, [20, 21, 22], "modulo");
    const before = JSON.stringify(inv);
    expect(planTopology(inv)).toEqual(planTopology(inv));
    expect(JSON.stringify(inv)).toBe(before);
  });
});

describe("parity with other than two servers", () => {
  it("is an input error", () => {
    const inv = cluster(3, [10], "modulo");
    expect(() => planTopology({ ...inv, install: { ...inv.install, balance: "parity" } })).toThrow(
      InputError,
    );
  });
});
