import { describe, expect, it } from "vitest";
import { allNetns, switchCommands } from "../../src/lab/net.js";
import { planLab } from "../../src/lab/topology.js";

const inv = {
  subnet: "192.168.0.0/24",
  cluster: "t",
  servers: [{ name: "server1", address: "192.168.0.1" }],
  clients: [{ name: "client1", mac: "00:0c:29:20:50:90", ip: "192.168.0.128" }],
};

describe("lab wiring", () => {
  it("plugs every host's eth0 into the LAN bridge of the switch namespace", () => {
    const p = planLab(inv, { name: "t", servers: 2, clients: 1 });
    expect(allNetns(p)).toEqual(["t.switch", "t.server1", "t.server2", "t.client1"]);
    expect(switchCommands(p)).toEqual([
      "link set lo up",
      "link add lan0 type bridge",
      "link add s1 type veth peer name eth0 netns t.server1",
      "link set s1 master lan0 up",
      "link add s2 type veth peer name eth0 netns t.server2",
      "link set s2 master lan0 up",
      "link add c1 type veth peer name eth0 netns t.client1",
      "link set c1 master lan0 up",
      "link set lan0 up",
    ]);
  });

  it("adds a heartbeat bridge for eth1 with more than two servers", () => {
    const lines = switchCommands(planLab(inv, { name: "t", servers: 3, clients: 0 }));
    expect(lines).toContain("link add hb0 type bridge");
    expect(lines).toContain("link add h3 type veth peer name eth1 netns t.server3");
    expect(lines).toContain("link set h3 master hb0 up");
  });
});
