import { describe, expect, it } from "vitest";
import type { LabInventory } from "../../src/lab/inventory.js";
import { labNameFor } from "../../src/lab/inventory.js";
import { defaultPortBase, planLab, reachesLab } from "../../src/lab/topology.js";

const inv: LabInventory = {
  subnet: "192.168.0.0/24",
  cluster: "lab",
  servers: [
    { name: "server1", address: "192.168.0.1", sshHost: "127.0.0.1", sshPort: 2201 },
    { name: "server2", address: "192.168.0.2", sshHost: "127.0.0.1", sshPort: 2202 },
  ],
  clients: [
    { name: "client1", mac: "00:0c:29:20:50:90", ip: "192.168.0.128" },
    { name: "client2", mac: "00:0c:29:20:50:91", ip: "192.168.0.129" },
  ],
};

describe("planLab", () => {
  it("follows the inventory for the default lab, ports included", () => {
    const p = planLab(inv, { name: "lab" });
    expect(p.switchNs).toBe("lab.switch");
    expect(p.hbBridge).toBeUndefined();
    expect(p.servers.map((s) => [s.name, s.netns, s.lan, s.sshPort, s.switchPort])).toEqual([
      ["server1", "lab.server1", "192.168.0.1/24", 2201, "s1"],
      ["server2", "lab.server2", "192.168.0.2/24", 2202, "s2"],
    ]);
    expect(p.clients.map((c) => [c.name, c.netns, c.mac, c.ip])).toEqual([
      ["client1", "lab.client1", "00:0c:29:20:50:90", "192.168.0.128"],
      ["client2", "lab.client2", "00:0c:29:20:50:91", "192.168.0.129"],
    ]);
  });

  it("gives another lab its own port base, derived from its name", () => {
    const p = planLab(inv, { name: "itlab" });
    const base = defaultPortBase("itlab");
    expect(base).not.toBe(2200);
    expect(base).toBe(defaultPortBase("itlab"));
    expect(p.servers.map((s) => s.sshPort)).toEqual([base + 1, base + 2]);
    expect(planLab(inv, { name: "itlab", portBase: 4000 }).servers[1]?.sshPort).toBe(4002);
  });

  it("extends the inventory's pattern for extra hosts and joins 3+ servers on a bridge", () => {
    const p = planLab(inv, { name: "big", servers: 3, clients: 4 });
    expect(p.hbBridge).toBe("hb0");
    expect(p.servers[2]).toMatchObject({
      name: "server3",
      lan: "192.168.0.3/24",
      hbSwitchPort: "h3",
    });
    expect(p.clients.slice(2).map((c) => [c.name, c.mac, c.ip])).toEqual([
      ["client3", "00:0c:29:20:50:92", "192.168.0.130"],
      ["client4", "00:0c:29:20:50:93", "192.168.0.131"],
    ]);
    expect(new Set(p.servers.map((s) => s.lanMac)).size).toBe(3);
  });

  it("trims to smaller counts", () => {
    const p = planLab(inv, { name: "lab", servers: 1, clients: 0 });
    expect(p.servers.map((s) => s.name)).toEqual(["server1"]);
    expect(p.clients).toEqual([]);
  });

  it("rejects bad names and counts", () => {
    expect(() => planLab(inv, { name: "Bad_Name" })).toThrow(/invalid lab name/);
    expect(() => planLab(inv, { name: "lab", servers: 0 })).toThrow(/--servers/);
    expect(() => planLab(inv, { name: "lab", clients: 1.5 })).toThrow(/--clients/);
    const dup = {
      ...inv,
      clients: [{ name: "server1", mac: "00:00:00:00:00:01", ip: "192.168.0.9" }],
    };
    expect(() => planLab(dup, { name: "lab" })).toThrow(/used twice/);
  });
});

describe("a lab from its inventory alone", () => {
  const k3: LabInventory = {
    ...inv,
    cluster: "lab3",
    labName: "k3",
    servers: [1, 2, 3].map((i) => ({
      name: `server${i}`,
      address: `192.168.0.${i}`,
      sshHost: "127.0.0.1",
      sshPort: 2210 + i,
    })),
  };

  it("is named after the lab its key belongs to, else after its cluster id", () => {
    expect(labNameFor(k3, "lab3.yaml")).toBe("k3");
    expect(labNameFor(inv, "lab.yaml")).toBe("lab");
    expect(labNameFor({ ...inv, cluster: "site" }, "site.yaml")).toBe("site");
    expect(() => labNameFor({ ...inv, cluster: "a-very-long-cluster" }, "x.yaml")).toThrow(
      'x.yaml: no lab name in it (its cluster id "a-very-long-cluster" is not one): give --name',
    );
  });

  it("takes the inventory's ports for the lab it was written for, and then reaches it as is", () => {
    const p = planLab(k3, { name: "k3" });
    expect(p.servers.map((s) => s.sshPort)).toEqual([2211, 2212, 2213]);
    expect(reachesLab(k3, p)).toBe(true);
  });

  it("gives another name, --port-base, --servers or real servers a plan the inventory does not reach", () => {
    const other = planLab(k3, { name: "k3b" });
    const base = defaultPortBase("k3b");
    expect(other.servers.map((s) => s.sshPort)).toEqual([base + 1, base + 2, base + 3]);
    expect(reachesLab(k3, other)).toBe(false);
    const moved = planLab(k3, { name: "k3", portBase: 4000 });
    expect(moved.servers.map((s) => s.sshPort)).toEqual([4001, 4002, 4003]);
    expect(reachesLab(k3, moved)).toBe(false);
    expect(reachesLab(k3, planLab(k3, { name: "k3", servers: 2 }))).toBe(false);
    // A site's inventory (real hosts on port 22) never lends the lab its ports.
    const site: LabInventory = {
      ...inv,
      cluster: "site",
      servers: inv.servers.map((s, i) => ({ ...s, sshHost: `10.1.0.1${i}`, sshPort: 22 })),
    };
    const p = planLab(site, { name: "site" });
    expect(p.servers.map((s) => s.sshPort)).toEqual([1, 2].map((i) => defaultPortBase("site") + i));
    expect(reachesLab(site, p)).toBe(false);
  });
});
