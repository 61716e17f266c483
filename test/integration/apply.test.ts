// `ksorch apply` end to end on a lab of its own: a fresh lab becomes the paper's cluster, lab
// clients install through each VIP, a second apply changes nothing, and one changed inventory
// value touches exactly the files that depend on it (and --check only shows that diff).
// Needs root and a built CLI (npm run build).
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/drill/health.js";
import { pollUntil } from "../../src/poll.js";
import type { ApplyReport } from "../../src/engine/results.js";
import { GUARD_NAME } from "../../src/inventory/layout.js";
import type { ClientReport } from "../../src/lab/client/report.js";
import { execInHost } from "../../src/lab/exec.js";
import { labPaths } from "../../src/lab/paths.js";
import { freshLab, ksorch, testLab } from "./helpers/lab.js";

const LAB = testLab("applyit");
let inventory: string;

async function apply(
  args: string[],
): Promise<{ code: number; report: ApplyReport; stderr: string }> {
  const r = await ksorch(["apply", ...args, "--json"]);
  return { code: r.code, report: JSON.parse(r.stdout) as ApplyReport, stderr: r.stderr };
}

const changedTasks = (report: ApplyReport, host: string): string[] =>
  report.results.filter((r) => r.host === host && r.status === "changed").map((r) => r.task);

async function inHost(host: string, argv: string[]): Promise<string> {
  const r = await execInHost(LAB, host, argv);
  return r.stdout;
}

/** Which servers hold `vip` on an interface right now. */
async function owners(vip: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of ["server1", "server2"]) {
    if ((await inHost(s, ["ip", "-o", "-4", "addr", "show"])).includes(` ${vip}/`)) out.push(s);
  }
  return out;
}

describe("ksorch apply", () => {
  beforeAll(async () => {
    // Secrets of this test stay in a directory of its own (the CLI inherits the variable).
    process.env.KSORCH_SECRETS_DIR = await mkdtemp(join(tmpdir(), "ksorch-apply-secrets-"));
    await freshLab(LAB);
    inventory = labPaths(LAB).inventory;
  });
  afterAll(async () => {
    await ksorch(["lab", "down", "--name", LAB]);
  });

  it("turns a fresh lab into the cluster: dhcpd on server1 only, each VIP with its one owner", async () => {
    const { code, report, stderr } = await apply([inventory]);
    const failures = report.results.filter(
      (r) => r.status === "failed" || r.status === "unreachable",
    );
    expect(failures.map((r) => `${r.host}: ${r.task}: ${r.reason}`)).toEqual([]);
    expect(report.recap.map((r) => [r.host, r.failed, r.unreachable])).toEqual([
      ["server1", 0, 0],
      ["server2", 0, 0],
    ]);
    expect(code, stderr).toBe(0);
    expect(changedTasks(report, "server1")).toContain(
      "dhcp, tftp, ftp, HA engine and support packages",
    );
    const procs = async (h: string) => (await inHost(h, ["ps", "-eo", "comm="])).split("\n");
    const p1 = await procs("server1");
    const p2 = await procs("server2");
    for (const daemon of ["in.tftpd", "vsftpd", "heartbeat"]) {
      expect(p1).toContain(daemon);
      expect(p2).toContain(daemon);
    }
    expect(p1).toContain("dhcpd");
    expect(p2).not.toContain("dhcpd");
    expect(await owners("192.168.0.253")).toEqual(["server1"]);
    expect(await owners("192.168.0.254")).toEqual(["server2"]);
  });

  it("keeps the HA guard running: status shows it, and a killed guard is back within 3 s", async () => {
    const r = await ksorch(["status", inventory, "--json"]);
    const health = JSON.parse(r.stdout) as ClusterHealth;
    expect(health.servers.map((s) => [s.name, s.running?.guard])).toEqual([
      ["server1", true],
      ["server2", true],
    ]);
    const guardPid = async () => (await inHost("server1", ["pidof", "-x", GUARD_NAME])).trim();
    const killed = await guardPid();
    expect(killed).toMatch(/^\d+$/);
    await execInHost(LAB, "server1", ["kill", "-9", killed]);
    const back = await pollUntil(async () => /^\d+$/.test(await guardPid()), 3000, 100);
    expect(back, "a guard runs again on server1").toBe(true);
    expect(await guardPid()).not.toBe(killed);
  });

  it("serves a lab client's whole install through each VIP", async () => {
    const r = await ksorch([
      "lab",
      "install",
      "--name",
      LAB,
      "--clients",
      "client1,client2",
      "--json",
      "--timeout",
      "180",
    ]);
    const reports = JSON.parse(r.stdout) as ClientReport[];
    expect(reports.map((c) => [c.client, c.verdict, c.error])).toEqual([
      ["client1", "pass", undefined],
      ["client2", "pass", undefined],
    ]);
    // 192.168.0.128 is even: the second server's VIP; .129 is odd: the first server's.
    expect(reports.map((c) => c.installUrl)).toEqual([
      "ftp://192.168.0.254/pub/rh9",
      "ftp://192.168.0.253/pub/rh9",
    ]);
    expect(reports.map((c) => c.checksumFailures)).toEqual([[], []]);
    expect(r.code).toBe(0);
  });

  it("changes nothing the second time", async () => {
    const { code, report } = await apply([inventory]);
    expect(code).toBe(0);
    expect(
      report.results.filter((r) => r.status === "changed").map((r) => `${r.host}: ${r.task}`),
    ).toEqual([]);
    expect(report.pairs).toBeGreaterThan(40);
  });

  describe("after one inventory value changes", () => {
    let changed: string;
    const haCf = () =>
      Promise.all(["server1", "server2"].map((h) => inHost(h, ["cat", "/etc/ha.d/ha.cf"])));

    beforeAll(async () => {
      // Another file name on purpose: rendered files name the cluster id, not the file, so only
      // the changed value shows.
      changed = join(await mkdtemp(join(tmpdir(), "ksorch-apply-inv-")), "renamed.yaml");
      const text = await readFile(inventory, "utf8");
      expect(text).toContain("keepalive: 100ms");
      await writeFile(changed, text.replace("keepalive: 100ms", "keepalive: 200ms"));
    });

    it("--check --diff shows the diff of exactly that file and changes nothing", async () => {
      const before = await haCf();
      const { code, report } = await apply([changed, "--check", "--diff"]);
      expect(code).toBe(0);
      for (const host of ["server1", "server2"]) {
        expect(changedTasks(report, host)).toEqual([
          "heartbeat configuration",
          "restart heartbeat",
        ]);
      }
      const diff = report.results.find((r) => r.task === "heartbeat configuration")?.diff ?? "";
      expect(diff).toContain("-keepalive 100ms");
      expect(diff).toContain("+keepalive 200ms");
      // Files that do not change, the secret authkeys among them, are not in the diff at all.
      expect(diff).not.toContain("authkeys");
      expect(diff).not.toContain("haresources");
      expect(await haCf()).toEqual(before);
    });

    it("applies it: only ha.cf is rewritten and only heartbeat restarts", async () => {
      const { code, report } = await apply([changed]);
      expect(code).toBe(0);
      for (const host of ["server1", "server2"]) {
        expect(changedTasks(report, host)).toEqual([
          "heartbeat configuration",
          "restart heartbeat",
        ]);
      }
      const cfg = report.results.find(
        (r) => r.host === "server1" && r.task === "heartbeat configuration",
      );
      expect(cfg?.summary).toBe("update /etc/ha.d/ha.cf");
      expect((await haCf()).every((t) => t.includes("keepalive 200ms"))).toBe(true);
      expect(await owners("192.168.0.253")).toEqual(["server1"]);
      expect(await owners("192.168.0.254")).toEqual(["server2"]);
      expect(changedTasks((await apply([changed])).report, "server1")).toEqual([]);
    });

    it("brings a stopped heartbeat back beside a running one without fencing it", async () => {
      // server1's heartbeat stopped (maintenance, an unfinished drill): server2 holds both VIPs.
      await execInHost(LAB, "server1", ["service", "heartbeat", "stop"]);
      const moved = await pollUntil(
        async () => (await owners("192.168.0.253")).join() === "server2",
        10_000,
        100,
      );
      expect(moved, "server2 took 192.168.0.253 over").toBe(true);
      // The original inventory: ha.cf changes back on both, so server1 starts while server2
      // restarts right after it. Started without waiting, server1 would take server2's group
      // while server2 still held it, and fence (power off) server2.
      const { code, report } = await apply([inventory]);
      expect(code).toBe(0);
      for (const host of ["server1", "server2"])
        expect(changedTasks(report, host)).toEqual([
          "heartbeat configuration",
          "restart heartbeat",
        ]);
      const fenceLog = await inHost("server1", ["cat", "/var/log/ksorch-fence.log"]);
      expect(fenceLog).not.toContain("fencing server2");
      const lab = await ksorch(["lab", "status", "--name", LAB, "--json"]);
      const hosts = (JSON.parse(lab.stdout) as { servers: { name: string; running: boolean }[] })
        .servers;
      expect(hosts.map((h) => [h.name, h.running])).toEqual([
        ["server1", true],
        ["server2", true],
      ]);
      expect(await owners("192.168.0.253")).toEqual(["server1"]);
      expect(await owners("192.168.0.254")).toEqual(["server2"]);
    });
  });

  it("refuses a bad playbook with file, line and field, before touching any server", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ksorch-apply-pb-"));
    await writeFile(
      join(dir, "10-bad.yaml"),
      "name: bad\ntasks:\n  - name: x\n    service: { name: vsftpd, state: sleeping }\n",
    );
    const r = await ksorch(["apply", inventory, "--playbooks", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "10-bad.yaml")}:4:`);
    expect(r.stderr).toContain("tasks.0.service.state");
    expect(r.stderr).toContain("nothing was changed on any server");
  });
});
