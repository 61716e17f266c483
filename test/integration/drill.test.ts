// `ksorch drill failover` end to end, one drill per fault mode, on a lab of its own that
// `ksorch apply` turns into the paper's cluster (heartbeat, with ha.ping and ha.fence). Eight
// lab clients install through every fault and every drill passes: real clients (the drill's
// default) through stop and poweroff, and through a stop at each install phase (`--matrix`);
// the lab's patient clients through the faults that judge the HA engines. Needs root and a
// built CLI.
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/drill/health.js";
import type { MatrixRow } from "../../src/drill/matrix.js";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import { execInHost } from "../../src/lab/exec.js";
import { labPaths } from "../../src/lab/paths.js";
import { check, drill, expectPassed } from "./helpers/drill.js";
import { bootVm } from "./helpers/vm.js";
import { applyLab, freshLab, ksorch, planOf, removeLab, testLab } from "./helpers/lab.js";

const LAB = testLab("drillit");
const hasBiosVm = ["/usr/bin/qemu-system-x86_64", "/usr/lib/ipxe/qemu/pxe-e1000.rom"].every((f) =>
  existsSync(f),
);

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
    const d = await drill(inventory, "stop", ["--report", join(reports, "stop.html")], "real");
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
    const d = await drill(inventory, "poweroff", [], "real");
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

  it("stop at every install phase: real clients (pxelinux, dracut, dnf) all finish", async () => {
    const r = await ksorch(["drill", "failover", inventory, "--yes", "--json", "--matrix"]);
    const { profile, rows } = JSON.parse(r.stdout) as { profile: string; rows: MatrixRow[] };
    expect(profile).toBe("real");
    const failed = rows.filter((row) => !row.pass || row.finished !== row.clients);
    expect(failed.map((row) => `${row.phase}: ${row.error ?? "verdict failed"}`)).toEqual([]);
    expect(rows.map((row) => [row.phase, row.clients])).toEqual(
      ["dhcp", "tftp", "kickstart", "stage2", "packages"].map((phase) => [phase, 8]),
    );
    expect(r.code).toBe(0);
    // How clients got through, for the log: reboots after pxelinux failed, second sources.
    console.log(rows.map((row) => `${row.phase}: ${row.recovered.join("; ") || "-"}`).join("\n"));
    // Five drills, each waiting for clients that pxelinux reset (131 s + 10 s, then a boot).
  }, 1_500_000);

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
  // Last: the VM takes a client's MAC, so that emulated client is unplugged for good.
  it.skipIf(!hasBiosVm)(
    "a real BIOS PC whose server stops during its kernel's transfer reboots and boots from the survivor",
    async () => {
      const rows = await planOf(inventory);
      const c = rows.find((r) => r.server === "server1");
      if (!c) throw new Error("no client of server1 in the plan");
      let stop: Promise<unknown> | undefined;
      let stoppedAt = 0;
      const kernel = "images/pub/rh9/vmlinuz";
      try {
        // 8 Mbit/s: the 8 MB kernel takes about 8 s, and heartbeat stops in well under one.
        const { console: out, requests } = await bootVm(
          LAB,
          c,
          "bios",
          "ksorch lab installer",
          600,
          {
            rateMbit: 8,
            reboot: true,
            onRequest: (r) => {
              if (stop || r.file !== kernel) return;
              stoppedAt = r.atMs;
              stop = execInHost(LAB, "server1", ["sh", "-c", heartbeatOps.stop]);
            },
          },
        );
        await stop;
        // It reached the installer, with its own VIP's kickstart, from the survivor.
        expect(out).toMatch(
          new RegExp(`ksorch lab installer: .*inst\\.ks=ftp://${c.vip.replaceAll(".", "\\.")}/`),
        );
        // pxelinux lost the kernel halfway, waited out its TimeoutTable (131 s) and reset the
        // PC after the 10 s of DHCP option 211 (not its own 300 s): the PC asked for
        // pxelinux.0 and the kernel again, from the same VIP.
        const again = requests.filter((r) => r.file === "pxelinux.0" && r.atMs > stoppedAt);
        expect(again.map((r) => r.to)).toContain(c.vip);
        const gapS = ((again[0]?.atMs ?? 0) - stoppedAt) / 1000;
        console.log(`BIOS VM: the PC booted again ${gapS.toFixed(1)} s after its kernel was cut`);
        expect(gapS).toBeGreaterThan(131);
        expect(gapS).toBeLessThan(131 + 10 + 120);
        expect(requests.filter((r) => r.file === kernel).length).toBeGreaterThanOrEqual(2);
      } finally {
        await execInHost(LAB, "server1", ["sh", "-c", heartbeatOps.start]);
      }
    },
    900_000,
  );
});
