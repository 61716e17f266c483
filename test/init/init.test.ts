// `ksorch init`: the pure generator, and the built CLI writing a site's files.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { exampleCsv, initInventory, type InitSettings } from "../../src/init/inventory.js";
import { parseInventory } from "../../src/inventory/load.js";
import { planTopology } from "../../src/topology/plan.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "ksorch-init-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SITE: InitSettings = {
  name: "site",
  subnet: "10.1.0.0/24",
  servers: [
    { name: "ks1", address: "10.1.0.11" },
    { name: "ks2", address: "10.1.0.12" },
  ],
  haInterface: "eth1",
  haSubnet: "10.0.0.0/24",
  path: "pub/rh9",
  source: "tree",
  csv: "clients.csv",
};
const FILE = "/site/inventory.yaml";
const csvOf = (text: string) => (f: string) => {
  expect(f).toBe("/site/clients.csv");
  return text;
};

function ksorch(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("initInventory", () => {
  it("writes every default out, commented, and it loads as what was validated", () => {
    const { text, inventory } = initInventory(
      SITE,
      FILE,
      "inventory.yaml",
      csvOf(exampleCsv(SITE.subnet)),
    );
    for (const line of [
      "name: site",
      "  subnet: 10.1.0.0/24",
      "  user: root",
      "  port: 22",
      "    interface: eth0",
      "    heartbeat: { interface: eth1, address: 10.0.0.3, prefix: 24 }",
      "    vip: 10.1.0.254",
      "    os: rhel",
      "  engine: keepalived",
      "  keepalive: 200ms",
      "  warntime: 500ms",
      "  deadtime: 1s",
      "  initdead: 2s",
      "  auto_failback: true",
      "  max_takeover: 2s",
      "  udpport: 694",
      "  protocol: ftp",
      "  balance: parity",
      "    target: rhel9",
      "  from: clients.csv",
    ])
      expect(
        text.split("\n").some((l) => l.startsWith(line)),
        line,
      ).toBe(true);
    // Nothing of the lab: no loopback ports, lab key paths, lab tree or fence agent.
    expect(text).not.toMatch(/127\.0\.0\.1|\/var\/lib\/ksorch\/labs|\/var\/cache\/ksorch|6230/);
    expect(parseInventory(text, FILE, csvOf(exampleCsv(SITE.subnet)))).toEqual(inventory);
    expect(inventory.clients).toEqual([
      { name: "client1", mac: "00:00:5e:00:53:01", ip: "10.1.0.128" },
    ]);
  });

  it("three servers get keepalived and modulo; named VIPs, management hosts and the gateway are kept", () => {
    const { inventory } = initInventory(
      {
        ...SITE,
        servers: [...SITE.servers, { name: "ks3", address: "10.1.0.13" }],
        vips: ["10.1.0.201", "10.1.0.202", "10.1.0.203"],
        sshHosts: ["mgmt1", "mgmt2", "mgmt3"],
        ping: "10.1.0.1",
      },
      FILE,
      "inventory.yaml",
      csvOf("name,mac,ip,server\npc1,00:0c:29:00:00:01,10.1.0.100,ks3\n"),
    );
    expect(inventory.ha).toMatchObject({ engine: "keepalived", ping: "10.1.0.1" });
    expect(inventory.install.balance).toBe("modulo");
    expect(inventory.servers.map((s) => [s.ssh.host, s.vip, s.heartbeat.address])).toEqual([
      ["mgmt1", "10.1.0.201", "10.0.0.3"],
      ["mgmt2", "10.1.0.202", "10.0.0.4"],
      ["mgmt3", "10.1.0.203", "10.0.0.5"],
    ]);
    expect(planTopology(inventory).clients[0]).toMatchObject({ client: "pc1", server: "ks3" });
  });

  it("names the flag behind each problem, and a CSV's problems by its own file and line", () => {
    let err: unknown;
    try {
      initInventory(
        { ...SITE, vips: ["10.1.0.11", "10.9.0.1"] },
        FILE,
        "inventory.yaml",
        csvOf("name,mac,ip\npc1,00:0c:29:00:00:01,10.1.0.300\npc2,00:0c:29:00:00:02,10.1.0.101\n"),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const d = (err as InputError).diagnostics;
    expect(d).toContainEqual(
      expect.objectContaining({
        file: "--vips",
        field: "servers.ks2.vip",
        message: "10.9.0.1 is outside the subnet",
      }),
    );
    expect(d).toContainEqual(
      expect.objectContaining({
        file: "--vips",
        field: "servers.ks1.vip",
        message: expect.stringMatching(/already used by ks1's address/),
      }),
    );
    expect(d).toContainEqual(
      expect.objectContaining({ file: "/site/clients.csv", line: 2, field: "clients.pc1.ip" }),
    );
    expect(d.every((x) => x.line === undefined || x.file === "/site/clients.csv")).toBe(true);
  });

  it("refuses a list of VIPs of the wrong length and a bad subnet before building anything", () => {
    expect(() => initInventory({ ...SITE, vips: ["10.1.0.200"] }, FILE, "i", csvOf(""))).toThrow(
      "--vips: 1 given for 2 servers; give one per server",
    );
    expect(() => initInventory({ ...SITE, subnet: "10.1.0.0" }, FILE, "i", csvOf(""))).toThrow(
      "--subnet 10.1.0.0: expected an IPv4 subnet in CIDR form",
    );
  });
});

// Each CLI run takes 0.3 s on a quiet machine and up to 2 s on a loaded one.
describe("ksorch init (built CLI)", { timeout: 60_000 }, () => {
  it("writes inventory.yaml and an example clients.csv that validate and plan", () => {
    const dir = join(work, "first");
    const r = ksorch(
      work,
      "init",
      "first",
      "--subnet",
      "10.1.0.0/24",
      "--servers",
      "ks1=10.1.0.11,ks2=10.1.0.12",
      "--tree",
      work,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote first\/inventory.yaml: 2 servers, 1 client from first\/clients.csv/,
    );
    expect(readFileSync(join(dir, "clients.csv"), "utf8")).toContain("name,mac,ip,server\n");
    expect(ksorch(work, "validate", "first/inventory.yaml")).toMatchObject({
      code: 0,
      stdout: "ok: 2 servers, 1 client\n",
    });
    const plan = ksorch(work, "plan", "first/inventory.yaml");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /^client1 +00:00:5e:00:53:01 +10\.1\.0\.128 +0A010080 +kseven\.cfg +10\.1\.0\.253 +ks2 +ks1$/m,
    );
    // A second init refuses to overwrite; nothing changes.
    const again = ksorch(work, "init", "first");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("inventory.yaml exists: choose another folder, or --force");
  });

  it("takes 1,000 clients from a CSV; a bad row exits 2 naming the CSV's line; nothing is written", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const mac = (0x5e0000 + i).toString(16).padStart(6, "0").match(/../g)?.join(":");
      return `pc${i + 1},00:0c:29:${mac},10.20.${Math.floor((100 + i) / 256)}.${(100 + i) % 256},${i % 50 === 0 ? "ks1" : ""}`;
    });
    writeFileSync(join(work, "macs.csv"), ["name,mac,ip,server", ...rows, ""].join("\n"));
    const flags = [
      "--subnet",
      "10.20.0.0/21",
      "--servers",
      "ks1=10.20.0.11,ks2=10.20.0.12",
      "--clients",
      "macs.csv",
      "--tree",
      work,
    ];
    const bad = [...rows];
    bad[499] = "pc500,00:0c:29:5e:01:f3,10.20.9.1,";
    writeFileSync(join(work, "bad.csv"), ["name,mac,ip,server", ...bad, ""].join("\n"));
    const refused = ksorch(work, "init", "bad", ...flags.slice(0, -3), "bad.csv", "--tree", work);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${join(work, "bad.csv")}:501: clients.pc500.ip: 10.20.9.1 is outside the subnet`,
    );
    expect(existsSync(join(work, "bad"))).toBe(false);

    expect(ksorch(work, "init", "big", ...flags).code).toBe(0);
    expect(readFileSync(join(work, "big/inventory.yaml"), "utf8")).toContain(
      "  from: ../macs.csv\n",
    );
    expect(ksorch(work, "validate", "big/inventory.yaml").stdout).toBe(
      "ok: 2 servers, 1000 clients\n",
    );
    const plan = ksorch(work, "plan", "big/inventory.yaml");
    // Parity sends even addresses to ks2; every 50th row names ks1 instead.
    expect(plan.stdout).toMatch(/^pc1 +\S+ +10\.20\.0\.100 .* ks1 +ks2$/m);
    expect(plan.stdout).toMatch(/^pc2 +\S+ +10\.20\.0\.101 .* ks1 +ks2$/m);
    expect(plan.stdout).toMatch(/^pc3 +\S+ +10\.20\.0\.102 .* ks2 +ks1$/m);
    expect(plan.stdout).toMatch(/^ks1 +10\.20\.7\.254 +520 /m);
    expect(plan.stdout).toMatch(/^ks2 +10\.20\.7\.253 +480 /m);
  });

  it("refuses a folder name that is no cluster id, and a missing --clients file", () => {
    mkdirSync(join(work, "My Site"));
    expect(ksorch(work, "init", "My Site").stderr).toContain('cluster id "my site"');
    const r = ksorch(work, "init", "x", "--clients", "nope.csv");
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain("--clients nope.csv: no such file");
  });
});
