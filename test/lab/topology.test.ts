import { describe, expect, it } from "vitest";
import type { LabInventory } from "../../src/lab/inventory.js";
import { defaultPortBase, planLab } from "../../src/lab/topology.js";

const inv: LabInventory = {
  subnet: "192.168.0.0/24",
  servers: [
    { name: "server1", address: "192.168.0.1", sshPort: 2201 },
    { name: "server2", address: "192.168.0.2", sshPort: 2202 },
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
