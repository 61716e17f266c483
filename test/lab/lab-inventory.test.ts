import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shapeQdisc } from "../../src/lab/faults.js";
import { labInventoryOf } from "../../src/lab/inventory.js";
import { labInventoryText } from "../../src/lab/lab-inventory.js";
import { parseInventory } from "../../src/inventory/load.js";
import { planLab } from "../../src/lab/topology.js";

const file = join(import.meta.dirname, "../../inventory/lab.yaml");

describe("the inventory a lab writes for itself", () => {
  it("points the lab inventory at this lab's ports, key and known_hosts", async () => {
    const source = await readFile(file, "utf8");
    const plan = planLab(labInventoryOf(parseInventory(source, file)), {
      name: "other",
      portBase: 5000,
      servers: 3,
      clients: 1,
    });
    const text = labInventoryText(source, plan);
    expect(text).toContain("# The paper's cluster"); // comments are kept
    const inv = parseInventory(text, file);
    // Its own cluster id, so its own secrets: not the source inventory's "lab".
    expect(inv.name).toBe("other");
    expect(inv.servers.map((s) => [s.name, s.ssh.port, s.ssh.key, s.ssh.knownHosts])).toEqual([
      [
        "server1",
        5001,
        "/var/lib/ksorch/labs/other/ssh/id_ed25519",
        "/var/lib/ksorch/labs/other/ssh/known_hosts",
      ],
      [
        "server2",
        5002,
        "/var/lib/ksorch/labs/other/ssh/id_ed25519",
        "/var/lib/ksorch/labs/other/ssh/known_hosts",
      ],
      [
        "server3",
        5003,
        "/var/lib/ksorch/labs/other/ssh/id_ed25519",
        "/var/lib/ksorch/labs/other/ssh/known_hosts",
      ],
    ]);
    const raw = parse(text) as {
      servers: Record<string, { vip: string; heartbeat: { address: string } }>;
    };
    expect(raw.servers.server3).toMatchObject({
      vip: "192.168.0.252",
      heartbeat: { address: "10.0.0.5" },
    });
    expect(inv.clients.map((c) => c.name)).toEqual(["client1"]);
    // Past two servers heartbeat gives way to keepalived, which cannot fence: ha.fence goes,
    // ha.ping (the lab's gateway) stays.
    expect(inv.ha).toMatchObject({ engine: "keepalived", ping: "192.168.0.250" });
    expect(inv.ha.fence).toBeUndefined();
    expect(plan.gateway).toBe("192.168.0.250/24");
  });

  it("keeps heartbeat, ha.ping and ha.fence for a two-server lab", async () => {
    const source = await readFile(file, "utf8");
    const original = parseInventory(source, file);
    const plan = planLab(labInventoryOf(original), {
      name: "other",
      portBase: 5000,
      servers: 2,
      clients: 1,
    });
    const inv = parseInventory(labInventoryText(source, plan), file);
    expect(inv.ha).toMatchObject({ engine: "heartbeat", ping: "192.168.0.250" });
    expect(inv.ha.fence).toBe(original.ha.fence);
    expect(inv.ha.fence).toContain("/dev/tcp/192.168.0.250/6230");
    expect(plan.gateway).toBe("192.168.0.250/24");
  });
});

describe("link shaping", () => {
  it("uses a token bucket for a rate and netem only for a delay", () => {
    expect(shapeQdisc({ rateMbit: 100 })).toEqual([
      "tbf",
      "rate",
      "100mbit",
      "burst",
      "64kb",
      "latency",
      "50ms",
    ]);
    expect(shapeQdisc({ rateMbit: 10, delayMs: 5 })).toEqual([
      "netem",
      "rate",
      "10mbit",
      "delay",
      "5ms",
    ]);
  });
});
