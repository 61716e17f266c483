import { describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { renderCluster } from "../../src/render/render.js";
import { planTopology } from "../../src/topology/plan.js";
import { TEST_SECRETS, fileAt } from "./fixture.js";

const servers = [1, 2, 3].map(
  (i) =>
    `  s${i}: { ssh: { host: 127.0.0.1 }, address: 10.9.0.${i}, heartbeat: { interface: eth1, address: 172.16.0.${i} }, vip: 10.9.0.${200 + i}, os: debian }`,
);
const text = [
  "network: { subnet: 10.9.0.0/24 }",
  "servers:",
  ...servers,
  "ha: { engine: keepalived, keepalive: 100ms }",
  "install: { path: pub/el9, source: /tree, balance: modulo }",
  "clients:",
  ...[10, 11, 12].map((o) => `  c${o}: { mac: "02:00:00:00:00:${o}", ip: 10.9.0.${o} }`),
].join("\n");
const inv = parseInventory(text, "/t/three.yaml");
const topo = planTopology(inv);
const cluster = renderCluster(inv, topo, TEST_SECRETS);

interface Instance {
  vip: string;
  priority: number;
  body: string;
}

function instances(conf: string): Instance[] {
  return [...conf.matchAll(/vrrp_instance \S+ \{([\s\S]*?)\n\}/g)].map((m) => {
    const body = m[1] ?? "";
    return {
      vip: /^\s+(\S+)\/24 dev eth0$/m.exec(body)?.[1] ?? "",
      priority: Number(/priority (\d+)/.exec(body)?.[1]),
      body,
    };
  });
}

describe("keepalived.conf for three servers", () => {
  const confs = new Map(
    inv.servers.map((s) => [
      s.name,
      fileAt(cluster.get(s.name) ?? [], "/etc/keepalived/keepalived.conf").content,
    ]),
  );

  it("replaces the heartbeat files", () => {
    for (const files of cluster.values())
      expect(files.some((f) => f.path.startsWith("/etc/ha.d/"))).toBe(false);
  });

  it("has one instance per VIP on every server, unicast to the other servers", () => {
    for (const [name, conf] of confs) {
      expect(instances(conf).map((i) => i.vip)).toEqual(inv.servers.map((s) => s.vip));
      expect(conf).toMatch(/vrrp_version 3/);
      expect(conf).toMatch(/advert_int 0\.1$/m);
      const own = inv.servers.find((s) => s.name === name)?.heartbeat.address;
      for (const s of inv.servers) {
        const listed = new RegExp(`^\\s+${s.heartbeat.address.replaceAll(".", "\\.")}$`, "m").test(
          conf,
        );
        expect(listed, `${name} peers ${s.name}`).toBe(s.heartbeat.address !== own);
      }
    }
  });

  it("gives each VIP to its owner first and to the planner's backup second", () => {
    for (const owner of topo.servers) {
      const ranked = [...confs.entries()]
        .map(([name, conf]) => ({
          name,
          p: instances(conf).find((i) => i.vip === owner.vip)?.priority ?? 0,
        }))
        .sort((a, b) => b.p - a.p)
        .map((r) => r.name);
      const backup = topo.clients.find((c) => c.server === owner.name)?.backup;
      expect(ranked[0]).toBe(owner.name);
      if (backup) expect(ranked[1]).toBe(backup);
      expect(topo.servers.find((s) => s.name === ranked[1])?.backupFor.map((b) => b.vip)).toContain(
        owner.vip,
      );
    }
  });

  it("moves dhcpd with the first VIP only", () => {
    for (const conf of confs.values()) {
      const [first, ...others] = instances(conf);
      expect(first?.body).toContain('notify_master "/usr/sbin/service isc-dhcp-server start"');
      for (const o of others) expect(o.body).not.toContain("isc-dhcp-server");
    }
  });
});
