// Beyond the paper: three servers with keepalived, end to end on a lab of its own made from
// inventory/lab3.yaml by `ksorch lab up --inventory FILE` alone (FILE: lab3.yaml with this
// test's lab name in its key paths and ports of its own), then `ksorch apply FILE`. apply gives each server exactly its own VIP, dhcpd on one server only and
// tftpd + vsftpd on all; the plan spreads the clients over the three; a stop drill on the DHCP
// server passes with every client installing through it. Needs root and a built CLI.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/drill/health.js";
import { DRILL_DIR } from "../../src/drill/remote.js";
import type { ApplyReport } from "../../src/engine/results.js";
import { defaultPortBase } from "../../src/lab/topology.js";
import { check, drill, expectPassed } from "./helpers/drill.js";
import { CLI, REPO, ksorch, removeLab, ssh, testLab } from "./helpers/lab.js";
import type { LabStatus } from "../../src/lab/status.js";

const LAB = testLab("kait");
const SERVERS = ["server1", "server2", "server3"];
let inventory: string;
let lab: LabStatus;

async function status(): Promise<ClusterHealth> {
  const r = await ksorch(["status", inventory, "--json"]);
  return JSON.parse(r.stdout) as ClusterHealth;
}

async function apply(): Promise<{ code: number; report: ApplyReport; stderr: string }> {
  const r = await ksorch(["apply", inventory, "--json"]);
  return { code: r.code, report: JSON.parse(r.stdout) as ApplyReport, stderr: r.stderr };
}

describe("three servers with keepalived", () => {
  beforeAll(async () => {
    process.env.KSORCH_SECRETS_DIR = await mkdtemp(join(tmpdir(), "ksorch-keepalived-secrets-"));
    // inventory/lab3.yaml as if written for this test's lab: its key paths and ports.
    const base = defaultPortBase(LAB);
    const text = (await readFile(join(REPO, "inventory/lab3.yaml"), "utf8"))
      .replaceAll("/labs/k3/", `/labs/${LAB}/`)
      .replace(/port: 221(\d)/g, (_, i: string) => `port: ${base + Number(i)}`);
    expect(text).toContain(`port: ${base + 3}`);
    inventory = join(await mkdtemp(join(tmpdir(), "ksorch-keepalived-")), "lab3.yaml");
    await writeFile(inventory, text);
    await ksorch(["lab", "down", "--name", LAB]);
    const up = await ksorch(["lab", "up", "--inventory", inventory, "--json"]);
    expect(up.code, up.stderr).toBe(0);
    // Named, ported and keyed by the inventory alone, which then reaches the lab as it is.
    lab = JSON.parse(up.stdout) as LabStatus;
    expect(lab).toMatchObject({ name: LAB, up: true, applyWith: inventory });
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("plans the clients over all three servers, each backed up by the next", async () => {
    const r = await ksorch(["plan", inventory, "--json"]);
    const rows = JSON.parse(r.stdout) as { client: string; server: string; backup: string }[];
    expect(rows).toHaveLength(6);
    const served = new Map(SERVERS.map((s) => [s, 0]));
    for (const c of rows) served.set(c.server, (served.get(c.server) ?? 0) + 1);
    expect([...served.values()]).toEqual([2, 2, 2]);
    for (const c of rows) {
      const i = SERVERS.indexOf(c.server);
      expect(c.backup).toBe(SERVERS[(i + 1) % 3]);
    }
  });

  it("apply: each server holds exactly its own VIP, dhcpd on one, tftpd and vsftpd on all", async () => {
    const { code, report, stderr } = await apply();
    const failed = report.results.filter(
      (r) => r.status === "failed" || r.status === "unreachable",
    );
    expect(failed.map((r) => `${r.host}: ${r.task}: ${r.reason}`)).toEqual([]);
    expect(code, stderr).toBe(0);
    const h = await status();
    expect(h.problems).toEqual([]);
    expect(h.vips.map((v) => [v.home, v.owners])).toEqual(SERVERS.map((s) => [s, [s]]));
    expect(h.dhcp).toEqual(["server1"]);
    for (const s of h.servers) {
      expect(s.running, s.name).toEqual({
        dhcp: s.name === "server1",
        tftp: true,
        ftp: true,
        guard: true,
        ha: true,
      });
    }
  });

  it("a second apply changes nothing", async () => {
    const { code, report } = await apply();
    expect(code).toBe(0);
    const changed = report.results.filter((r) => r.status === "changed");
    expect(changed.map((r) => `${r.host}: ${r.task}`)).toEqual([]);
  });

  it("drill stop on the DHCP server: server2 takes its VIP and dhcpd, every client installs", async () => {
    const { code, result } = await drill(inventory, "stop");
    expect(result.verdict.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(code).toBe(0);
    const [t] = result.measurements.takeovers;
    expect(t?.vip).toBe("192.168.0.253");
    expect(t?.survivor).toBe("server2");
    expect(t?.onSurvivorMs).toBeLessThan(2000);
    expect(result.measurements.dhcpAfterTakeover).toEqual(["server2"]);
    const check = (name: string) => result.verdict.checks.find((c) => c.name === name);
    expect(check("install clients finished")?.detail).toBe("6/6 finished with verified checksums");
    expect(check("failback")?.status).toBe("pass");
    // The survivor's own record of the takeover, from the notify script's log.
    expect(
      result.timeline.some(
        (e) => e.server === "server2" && e.text.includes("(VIP_server1) Entering MASTER STATE"),
      ),
    ).toBe(true);
    const after = await status();
    expect(after.vips.map((v) => v.owners)).toEqual(SERVERS.map((s) => [s]));
    expect(after.dhcp).toEqual(["server1"]);
  });

  // Every other fault mode, on the same three servers. No ha.fence with keepalived: a frozen
  // server keeps its VIP on the wire until it wakes, tolerated up to a second after that.
  it("a drill stopped by SIGINT undoes its fault, stops its observers and exits 130", async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "drill",
        "failover",
        inventory,
        "--yes",
        "--mode",
        "stop",
        "--profile",
        "patient",
      ].concat(["--hold", "300000"]),
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      const seen = stderr.includes("takeover seen");
      stderr += b.toString();
      // Interrupted in the hold: the target's keepalived is stopped, its VIP on a peer.
      if (!seen && stderr.includes("takeover seen")) child.kill("SIGINT");
    });
    const started = Date.now();
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, stderr).toBe(130);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(stderr).toContain("SIGINT: stopping the drill");
    expect(stderr).toContain("the drill was interrupted: undoing stop on server1");
    expect(stderr).toMatch(/interrupted by SIGINT; no verdict/);
    // Undone: keepalived runs on server1 again and takes its VIP back (it preempts, once its
    // ready check has passed). A VIP away from home is healthy, so wait for home itself.
    const home = SERVERS.map((s) => [s]);
    const owners = async () => (await status()).vips.map((v) => v.owners);
    const until = Date.now() + 30_000;
    let after = await owners();
    while (JSON.stringify(after) !== JSON.stringify(home) && Date.now() < until)
      after = await owners();
    expect(after).toEqual(home);
    // Nothing of the drill runs on any server: its observers' PID files are gone.
    for (const [i] of SERVERS.entries()) {
      const r = await ssh(
        lab,
        defaultPortBase(LAB) + i + 1,
        `ls ${DRILL_DIR}/*.pid 2>/dev/null; true`,
      );
      expect(r.stdout.trim(), `server${i + 1}`).toBe("");
    }
  });

  for (const mode of [
    "crash",
    "poweroff",
    "link",
    "link --link-fault drop",
    "crossover",
    "crossover --link-fault drop",
    "freeze",
  ]) {
    it(`drill ${mode}: passes, six clients install through it`, async () => {
      const d = await drill(inventory, mode);
      expectPassed(d, 6);
      if (mode === "freeze") {
        expect(check(d.result, "single owner throughout")?.detail).toMatch(/tolerated/);
      } else {
        expect(d.result.measurements.doubleOwnership).toEqual([]);
      }
      const after = await status();
      expect(after.vips.map((v) => v.owners)).toEqual(SERVERS.map((s) => [s]));
    });
  }
});
