// Runs the built CLI (`npm run build` first, as scripts/setup.sh does) the way a user does.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_FILE, labText, labWith, lineOf } from "../inventory/fixture.js";
import { TEST_SECRETS, dhcpdCheck } from "../render/fixture.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "ksorch-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = {
  ...process.env,
  KSORCH_SECRETS_DIR: join(work, "secrets"),
  KSORCH_HA_KEY: TEST_SECRETS.haKey,
  KSORCH_ROOTPW_HASH: TEST_SECRETS.rootpwHash,
  NO_COLOR: "1",
};

function ksorch(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeInventory(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  expect(existsSync(CLI), `${CLI} is missing: run "npm run build" first`).toBe(true);
});

describe("ksorch plan", () => {
  it("shows the paper's chain for .128 and .129", () => {
    const r = ksorch("plan", "inventory/lab.yaml");
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual([
      "CLIENT",
      "MAC",
      "IP",
      "PXELINUX",
      "KICKSTART",
      "VIP",
      "SERVER",
      "BACKUP",
    ]);
    expect(rows).toContainEqual([
      "client1",
      "00:0c:29:20:50:90",
      "192.168.0.128",
      "C0A80080",
      "kseven.cfg",
      "192.168.0.254",
      "server2",
      "server1",
    ]);
    expect(rows).toContainEqual([
      "client2",
      "00:0c:29:20:50:91",
      "192.168.0.129",
      "C0A80081",
      "ksodd.cfg",
      "192.168.0.253",
      "server1",
      "server2",
    ]);
  });

  it("--json prints one JSON array and nothing else", () => {
    const r = ksorch("plan", "--json");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    for (const row of rows)
      expect(Object.keys(row).sort()).toEqual([
        "backup",
        "backupVip",
        "client",
        "ip",
        "kickstartFile",
        "mac",
        "pxelinuxFile",
        "server",
        "vip",
      ]);
  });
});

describe("an inventory whose SSH key is missing", () => {
  it("apply and status exit 2 before connecting, naming the line and the lab to bring up", () => {
    const file = writeInventory(
      "nolab.yaml",
      labWith(
        ["source: /var/cache/ksorch/tree-v2", `source: ${work}`],
        ["labs/lab/ssh/id_ed25519", "labs/nolab9/ssh/id_ed25519"],
      ),
    );
    for (const command of ["apply", "status"]) {
      const r = ksorch(command, file);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain(
        `${file}:${lineOf(labText(), "key: /var/lib")}:8: ssh.key: SSH key /var/lib/ksorch/labs/nolab9/ssh/id_ed25519 does not exist (the key of lab nolab9, which is not up: ksorch lab up --inventory `,
      );
      expect(r.stderr).toContain("nothing was changed on any server");
    }
  });
});

describe("ksorch validate", () => {
  it("says ok with counts when the inventory and its tree are fine", () => {
    writeFileSync(join(work, "id_test"), "not checked beyond being readable\n");
    const file = writeInventory(
      "ok.yaml",
      labWith(
        ["source: /var/cache/ksorch/tree-v2", `source: ${work}`],
        ["key: /var/lib/ksorch/labs/lab/ssh/id_ed25519", `key: ${join(work, "id_test")}`],
      ),
    );
    const r = ksorch("validate", file);
    expect(r).toMatchObject({ code: 0, stdout: "ok: 2 servers, 8 clients\n" });
  });

  it("exits 2 with one sentence for a missing SSH key, at its line", () => {
    const text = labWith(["key: /var/lib/ksorch/labs/lab/ssh/id_ed25519", "key: ./no-such-key"]);
    const file = writeInventory("nokey.yaml", text);
    const r = ksorch("validate", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}:${lineOf(text, "key: ./no-such-key")}:8: ssh.key: SSH key ${join(work, "no-such-key")} does not exist`,
    );
    expect(r.stderr).not.toMatch(/ENOENT|at .*\.js/);
  });

  it("exits 2 naming the line of a repeated MAC", () => {
    const text = labWith([
      'client2: { mac: "00:0c:29:20:50:91"',
      'client2: { mac: "00:0c:29:20:50:90"',
    ]);
    const file = writeInventory("dup.yaml", text);
    const r = ksorch("validate", file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${file}:${lineOf(text, "client2:")}:`);
    expect(r.stderr).toContain("clients.client2.mac");
    expect(r.stderr).toContain("nothing was changed");
  });

  it("exits 2 when the install tree is missing, saying what it expects", () => {
    const file = writeInventory(
      "notree.yaml",
      labWith(["source: /var/cache/ksorch/tree-v2", "source: ./no-tree"]),
    );
    const r = ksorch("validate", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("install.source");
  });

  it("exits 2 on a usage error", () => {
    expect(ksorch("validate", "--bogus").code).toBe(2);
  });
});

describe("ksorch render", () => {
  const out = join(work, "out");
  let r: ReturnType<typeof ksorch>;
  beforeAll(() => {
    r = ksorch("render", LAB_FILE, "--out", out);
  });

  it("writes every server's files and never prints a secret", () => {
    expect(r.code, r.stderr).toBe(0);
    for (const output of [r.stdout, r.stderr]) {
      expect(output).not.toContain(TEST_SECRETS.haKey);
      expect(output).not.toContain(TEST_SECRETS.rootpwHash);
    }
    expect(r.stdout).toContain(join(out, "server1/etc/ha.d/authkeys"));
    expect(r.stdout).toContain(join(out, "server2/srv/ftp/pub/rh9/kseven.cfg"));
  });

  it("writes secrets mode 600 and a dhcpd.conf that dhcpd -t accepts", () => {
    expect(statSync(join(out, "server1/etc/ha.d/authkeys")).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, "server2/srv/ftp/pub/rh9/ksodd.cfg")).mode & 0o777).toBe(0o600);
    for (const s of ["server1", "server2"]) {
      const { code, output } = dhcpdCheck(
        readFileSync(join(out, s, "etc/dhcp/dhcpd.conf"), "utf8"),
      );
      expect(code, output).toBe(0);
    }
  });

  it("requires --out", () => {
    expect(ksorch("render").code).toBe(2);
  });

  it("rejects a malformed secret from the environment without echoing it", () => {
    const bad = spawnSync(process.execPath, [CLI, "render", "--out", join(work, "bad")], {
      cwd: ROOT,
      env: { ...env, KSORCH_HA_KEY: "two words" },
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout + bad.stderr).not.toContain("two words");
    expect(existsSync(join(work, "bad"))).toBe(false);
  });
});

describe("ksorch drill failover", () => {
  // Not a lab's key: these inventories reach no lab and no server (every case stops first).
  const realSite = () =>
    writeInventory(
      "site.yaml",
      labWith(
        ["key: /var/lib/ksorch/labs/lab/ssh/id_ed25519", "key: /nonexistent/ksorch/id_ed25519"],
        ["known_hosts: /var/lib/ksorch/labs/lab/ssh/known_hosts", "known_hosts: /nonexistent/kh"],
      ),
    );

  it("lists every mode and the new options in its help", () => {
    const r = ksorch("drill", "failover", "--help");
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain('"stop", "crash", "poweroff", "link", "crossover", "freeze"');
    expect(help).toMatch(/--link-fault <how> .*\(choices: "down", "drop", default: "down"\)/);
    expect(help).toMatch(/--freeze-s <seconds> .*\(default: "5"\)/);
  });

  it("refuses freeze on real servers with exit 2, touching nothing", () => {
    const r = ksorch("drill", "failover", realSite(), "--yes", "--mode", "freeze");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--mode freeze needs the local lab: a stopped server cannot be resumed from outside",
    );
  });

  // Six runs of the CLI: seconds on a loaded machine.
  it("exits 2 on a bad --link-fault or --freeze-s, or one that does not fit the mode", () => {
    const inv = realSite();
    const cases: [string[], RegExp][] = [
      [["--mode", "crossover", "--link-fault", "cut"], /--link-fault.*invalid.*down, drop/s],
      [
        ["--mode", "stop", "--link-fault", "drop"],
        /--link-fault applies to --mode link or crossover/,
      ],
      [["--mode", "link", "--freeze-s", "3"], /--freeze-s applies to --mode freeze, not link/],
      [["--mode", "freeze", "--freeze-s", "0"], /--freeze-s 0: expected seconds above 0/],
      [["--mode", "freeze", "--freeze-s", "five"], /--freeze-s five: expected seconds/],
      [["--mode", "sleep"], /--mode.*invalid/s],
    ];
    for (const [args, message] of cases) {
      const r = ksorch("drill", "failover", inv, "--yes", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
  }, 30_000);
});
