// The lab end to end: `ksorch lab up` builds servers reachable over SSH with checked host keys
// and clients with the inventory's MACs; a server configured by hand serves a client's whole
// install chain; `ksorch lab down` leaves nothing. Needs root and a built CLI (npm run build).
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ClientReport } from "../../src/lab/client/report.js";
import type { LabStatus } from "../../src/lab/status.js";
import { runInstallWave } from "../../src/lab/client/wave.js";
import { cutLink, shapeLink } from "../../src/lab/faults.js";
import { TREE_DIR } from "../../src/lab/paths.js";
import { configureInstallServerByHand } from "./helpers/install-server.js";
import { ensureLab, freshLab, ksorch, labLeftovers, REPO, ssh, testLab } from "./helpers/lab.js";

const LAB = testLab("itlab");

describe("ksorch lab", () => {
  let status: LabStatus;

  beforeAll(async () => {
    status = await freshLab(LAB);
  });
  afterAll(async () => {
    await ksorch(["lab", "down", "--name", LAB]);
  });

  it("publishes each server's sshd on a loopback port with its own, checked host key", async () => {
    expect(status.servers.map((s) => s.name)).toEqual(["server1", "server2"]);
    for (const s of status.servers) {
      const r = await ssh(status, s.sshPort ?? 0, "hostname");
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe(s.name);
    }
    const known = await readFile(status.ssh?.knownHosts ?? "", "utf8");
    const keys = known
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[2]);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it("lists the inventory's clients with their MACs and the LAN bridge", async () => {
    const r = await ksorch(["lab", "status", "--name", LAB, "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as LabStatus;
    const inv = parse(await readFile(join(REPO, "inventory/lab.yaml"), "utf8")) as {
      clients: Record<string, { mac: string }>;
    };
    expect(s.servers).toHaveLength(2);
    expect(s.clients.map((c) => [c.name, c.mac])).toEqual(
      Object.entries(inv.clients).map(([n, c]) => [n, c.mac.toLowerCase()]),
    );
    expect(s.switch).toEqual({ netns: `${LAB}.switch`, lanBridge: "lan0" });
    expect(s.servers.every((h) => h.running && h.initPid !== undefined)).toBe(true);
  });

  it("runs a second lab side by side, and taking it down leaves the first alone", async () => {
    const other = await ensureLab(`${LAB}2`, ["--servers", "1", "--clients", "1"]);
    try {
      const port = other.servers[0]?.sshPort ?? 0;
      expect(port).not.toBe(status.servers[0]?.sshPort);
      expect((await ssh(other, port, "hostname")).stdout.trim()).toBe("server1");
    } finally {
      expect((await ksorch(["lab", "down", "--name", `${LAB}2`])).code).toBe(0);
    }
    expect(await labLeftovers(`${LAB}2`)).toEqual([]);
    for (const s of status.servers)
      expect((await ssh(status, s.sshPort ?? 0, "hostname")).stdout.trim()).toBe(s.name);
  });

  it("runs a client's install chain against a server configured by hand", async () => {
    // The config sits at the IP's hex shortened by two digits, so the client must walk
    // pxelinux's search order past three missing files to find it.
    await configureInstallServerByHand(LAB, "server1", {
      pxelinuxFile: "C0A800",
      treePath: "pub/rh9",
    });
    const r = await ksorch([
      "lab",
      "install",
      "--name",
      LAB,
      "--clients",
      "client1",
      "--json",
      "--timeout",
      "120",
    ]);
    const [report] = JSON.parse(r.stdout) as ClientReport[];
    expect(report?.error).toBeUndefined();
    expect(r.code).toBe(0);
    if (!report) throw new Error("no report");
    expect(report.verdict).toBe("pass");
    expect(report.lease).toEqual({
      ip: "192.168.0.128",
      mask: 24,
      siaddr: "192.168.0.1",
      bootFile: "pxelinux.0",
      serverId: "192.168.0.1",
    });
    expect(report.pxelinux).toEqual({
      tried: [
        "pxelinux.cfg/01-00-0c-29-20-50-90",
        "pxelinux.cfg/C0A80080",
        "pxelinux.cfg/C0A8008",
        "pxelinux.cfg/C0A800",
      ],
      used: "pxelinux.cfg/C0A800",
    });
    expect(report.kickstartUrl).toBe("ftp://192.168.0.1/pub/ks/ks.cfg");
    expect(report.installUrl).toBe("ftp://192.168.0.1/pub/rh9");
    expect(report.boot?.matchesTree).toBe(true);
    // dnf installed every RPM of the tree; .treeinfo and stage2 came before them.
    const rpms = readdirSync(join(TREE_DIR, "Packages")).map((f) => f.replace(/\.rpm$/, ""));
    expect(report.dnf?.exitCode).toBe(0);
    expect(report.dnf?.packages).toEqual(rpms.sort());
    expect(report.files).toBe(2 + rpms.length);
    expect(report.stage2?.checksumOk).toBe(true);
    expect(report.phases.map((p) => [p.phase, p.ok])).toEqual(
      ["dhcp", "tftp", "kickstart", "stage2", "packages"].map((p) => [p, true]),
    );
    expect(report.checksumFailures).toEqual([]);
    expect(Object.keys(report.bytesByAddress)).toEqual(["192.168.0.1"]);
    expect(Object.keys(report.bytesByServer)).toEqual(["server1"]);
    expect(report.bytes).toBeGreaterThan(32 * 1024 * 1024);
  });

  it("real dnf waits out a 10 s LAN cut during the package phase, within its budget", async () => {
    // librepo abandons a transfer below 1000 B/s for 30 s (dnf's defaults): a 10 s cut is
    // absorbed by TCP and the transaction completes with every package.
    const shaped = await shapeLink(LAB, "server1", "eth0", { rateMbit: 40 });
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    let cut: Promise<void> | undefined;
    try {
      const [report] = await runInstallWave(LAB, ["client2"], {
        timeoutMs: 150_000,
        onPhase: (_client, phase) => {
          if (phase === "packages")
            cut = (async () => {
              await sleep(1500);
              const c = await cutLink(LAB, "server1", "eth0");
              await sleep(10_000);
              await c.undo();
            })();
        },
      });
      if (!report) throw new Error("no report");
      expect(report.error).toBeUndefined();
      expect(report.verdict).toBe("pass");
      const rpms = readdirSync(join(TREE_DIR, "Packages"));
      expect(report.dnf?.packages).toHaveLength(rpms.length);
      const packages = report.phases.find((p) => p.phase === "packages");
      expect(packages?.budget).toBe(10);
      // The cut lasted 10 s inside the phase.
      expect((packages?.endMs ?? 0) - (packages?.startMs ?? 0)).toBeGreaterThan(10_000);
    } finally {
      await cut;
      await shaped.undo();
    }
  });

  it("goes down completely, and a second down is harmless", async () => {
    expect((await ksorch(["lab", "down", "--name", LAB])).code).toBe(0);
    expect(await labLeftovers(LAB)).toEqual([]);
    expect((await ksorch(["lab", "down", "--name", LAB])).code).toBe(0);
  });
});
