// `ksorch drill failover` end to end, one drill per fault mode, on a lab of its own that
// `ksorch apply` turns into the paper's cluster (heartbeat, with ha.ping and ha.fence). Eight
// lab clients install through every fault and every drill passes. Needs root and a built CLI.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/drill/health.js";
import { execInHost } from "../../src/lab/exec.js";
import { labPaths } from "../../src/lab/paths.js";
import { check, drill, expectPassed } from "./helpers/drill.js";
import { applyLab, freshLab, ksorch, removeLab, testLab } from "./helpers/lab.js";

const LAB = testLab("drillit");
let inventory: string;
let reports: string;

async function healthy(): Promise<ClusterHealth> {
  const r = await ksorch(["status", inventory, "--json"]);
  return JSON.parse(r.stdout) as ClusterHealth;
}

describe("ksorch drill failover", () => {
  beforeAll(async () => {
    process.env.KSORCH_SECRETS_DIR = await mkdtemp(join(tmpdir(), "ksorch-drill-secrets-"));
    reports = await mkdtemp(join(tmpdir(), "ksorch-drill-reports-"));
    await freshLab(LAB);
    inventory = labPaths(LAB).inventory;
    await applyLab(inventory);
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("refuses without --yes when no one can confirm, touching nothing", async () => {
    const r = await ksorch(["drill", "failover", inventory]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/confirm with --yes/);
    expect((await healthy()).healthy).toBe(true);
  });

  it("stop (the paper's fault): VIP and DHCP move, eight clients install through it", async () => {
    const d = await drill(inventory, "stop", ["--report", join(reports, "stop.html")]);
    expectPassed(d, 8);
    const { result } = d;
    expect(result.measurements.doubleOwnership).toEqual([]);
    const [t] = result.measurements.takeovers;
    expect(t?.survivor).toBe("server2");
    // The survivor announces the address it just took and then serves clients on it.
    expect(t?.firstGarpMs).toBeGreaterThanOrEqual((t?.onSurvivorMs ?? 0) - 50);
    expect(t?.firstAnswerMs).toBeDefined();
    expect(check(result, "dhcp follows its VIP")?.status).toBe("pass");
    const survivor = result.measurements.bytesByServer.find((b) => b.server === "server2");
    expect(survivor?.afterFault).toBeGreaterThan(0);
    const html = await readFile(join(reports, "stop.html"), "utf8");
    expect(html).toContain('id="drill-result"');
    expect(html).toMatch(/<line class="marker" data-label="fault"/);
  });

  it("poweroff: VIP and DHCP move, the host comes back and takes its VIP", async () => {
    const d = await drill(inventory, "poweroff");
    expectPassed(d, 8);
    expect(d.result.measurements.doubleOwnership).toEqual([]);
    expect(check(d.result, "failback")?.status).toBe("pass");
  });

  it("crash: the guard releases the dead engine's VIP and dhcpd, no second owner", async () => {
    const d = await drill(inventory, "crash");
    expectPassed(d, 8);
    expect(d.result.measurements.doubleOwnership).toEqual([]);
    expect(check(d.result, "dhcp follows its VIP")?.status).toBe("pass");
    // Released by server1's guard long before its peer declares it dead.
    const dropped = d.result.timeline.find(
      (e) => e.server === "server1" && e.text.startsWith("drops 192.168.0.253"),
    );
    expect(dropped?.atMs).toBeLessThan(1000);
  });

  for (const how of ["down", "drop"]) {
    it(`link (${how}): the server that lost its LAN hands its VIP over`, async () => {
      const d = await drill(inventory, `link --link-fault ${how}`);
      expectPassed(d, 8);
      expect(d.result.measurements.doubleOwnership).toEqual([]);
      expect(d.result.measurements.takeovers[0]?.survivor).toBe("server2");
    });

    it(`crossover (${how}): both servers alive, nothing moves, never two owners`, async () => {
      const d = await drill(inventory, `crossover --link-fault ${how}`);
      expectPassed(d, 8);
      expect(d.result.measurements.doubleOwnership).toEqual([]);
      expect(d.result.measurements.dhcpAfterTakeover).toEqual(["server1"]);
    });
  }

  it("freeze: the survivor fences the hung server before taking its VIP: never two owners", async () => {
    const d = await drill(inventory, "freeze");
    expectPassed(d, 8);
    expect(d.result.setup.fencing).toBe(true);
    expect(d.result.measurements.doubleOwnership).toEqual([]);
    expect(d.result.timeline.some((e) => e.text.includes("booted (it had been fenced)"))).toBe(
      true,
    );
  });

  it("leaves the cluster healthy, VIPs home", async () => {
    const h = await healthy();
    expect(h.problems).toEqual([]);
    expect(h.vips.map((v) => v.owners)).toEqual([["server1"], ["server2"]]);
  });

  it("refuses to drill a cluster where a VIP has two owners", async () => {
    await execInHost(LAB, "server2", [
      "ip",
      "addr",
      "add",
      "192.168.0.253/24",
      "dev",
      "eth0",
      "label",
      "eth0:9",
    ]);
    try {
      const r = await ksorch(["drill", "failover", inventory, "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("192.168.0.253 is held by 2 servers: server1, server2");
    } finally {
      await execInHost(LAB, "server2", ["ip", "addr", "del", "192.168.0.253/24", "dev", "eth0"]);
    }
  });
});
