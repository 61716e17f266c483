import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKeepalivedLog } from "../../src/ha/keepalived/log.js";
import { parseInventory } from "../../src/inventory/load.js";
import { LAN_FAULT_FILE, READY_SCRIPT } from "../../src/render/guard.js";
import { vrrpPriority } from "../../src/render/keepalived.js";
import { renderCluster } from "../../src/render/render.js";
import type { RenderedFile } from "../../src/render/types.js";
import { planTopology } from "../../src/topology/plan.js";
import { inSandbox } from "../helpers/sandbox.js";
import { TEST_SECRETS, fileAt } from "./fixture.js";

const servers = [1, 2, 3].map(
  (i) =>
    `  s${i}: { ssh: { host: 127.0.0.1 }, address: 10.9.0.${i}, heartbeat: { interface: eth1, address: 172.16.0.${i} }, vip: 10.9.0.${200 + i}, os: debian }`,
);
const text = [
  "name: three",
  "network: { subnet: 10.9.0.0/24 }",
  "servers:",
  ...servers,
  "ha: { engine: keepalived, keepalive: 100ms }",
  "install: { path: pub/el9, source: /tree, balance: modulo }",
  "clients:",
  ...[10, 11, 12].map((o) => `  c${o}: { mac: "02:00:00:00:00:${o}", ip: 10.9.0.${o} }`),
].join("\n");
const inv = parseInventory(text, "/t/three.yaml");
const KEEPALIVED = "/usr/sbin/keepalived";
const NOTIFY = "/etc/keepalived/ksorch-notify.sh";
const topo = planTopology(inv);
const cluster = renderCluster(inv, topo, TEST_SECRETS);
const CONF = "/etc/keepalived/keepalived.conf";
const pingInv = parseInventory(
  text.replace("keepalive: 100ms }", "keepalive: 100ms, ping: 10.9.0.250 }"),
  "/t/three.yaml",
);
const pingCluster = renderCluster(pingInv, planTopology(pingInv), TEST_SECRETS);

interface Instance {
  vip: string;
  priority: number;
  body: string;
}

function instances(conf: string): Instance[] {
  return [...conf.matchAll(/vrrp_instance \S+ \{([\s\S]*?)\n\}/g)].map((m) => {
    const body = m[1] ?? "";
    return {
      vip: /^\s+(\S+)\/24 dev eth0$/m.exec(body)?.[1] ?? "",
      priority: Number(/priority (\d+)/.exec(body)?.[1]),
      body,
    };
  });
}

describe("keepalived.conf for three servers", () => {
  const confs = new Map(
    inv.servers.map((s) => [
      s.name,
      fileAt(cluster.get(s.name) ?? [], "/etc/keepalived/keepalived.conf").content,
    ]),
  );

  it("replaces the heartbeat files", () => {
    for (const files of cluster.values())
      expect(files.some((f) => f.path.startsWith("/etc/ha.d/"))).toBe(false);
  });

  it("has one instance per VIP on every server, adverts unicast over the LAN to the other servers", () => {
    for (const [name, conf] of confs) {
      const me = inv.servers.find((s) => s.name === name);
      expect(instances(conf).map((i) => i.vip)).toEqual(inv.servers.map((s) => s.vip));
      expect(conf).toMatch(/vrrp_version 3/);
      expect(conf).toMatch(/advert_int 0\.1$/m);
      const peers = /unicast_peer \{([^}]*)\}/.exec(conf)?.[1]?.trim().split(/\s+/);
      // The LAN addresses of the others, never a heartbeat (crossover) address.
      expect(peers, name).toEqual(inv.servers.filter((s) => s !== me).map((s) => s.address));
      for (const s of inv.servers) expect(conf).not.toContain(s.heartbeat.address);
      for (const i of instances(conf)) {
        expect(i.body).toMatch(/^\s+interface eth0$/m);
        expect(i.body).toContain(`unicast_src_ip ${me?.address}\n`);
        expect(i.body).not.toMatch(/interface eth1/);
      }
    }
  });

  it("gives each VIP to its owner first and to the planner's backup second", () => {
    for (const owner of topo.servers) {
      const ranked = [...confs.entries()]
        .map(([name, conf]) => ({
          name,
          p: instances(conf).find((i) => i.vip === owner.vip)?.priority ?? 0,
        }))
        .sort((a, b) => b.p - a.p)
        .map((r) => r.name);
      const backup = topo.clients.find((c) => c.server === owner.name)?.backup;
      expect(ranked[0]).toBe(owner.name);
      if (backup) expect(ranked[1]).toBe(backup);
      expect(topo.servers.find((s) => s.name === ranked[1])?.backupFor.map((b) => b.vip)).toContain(
        owner.vip,
      );
    }
  });

  it("has every instance tracking the guard's LAN-fault file and the ready check, reported to the notify script", () => {
    for (const conf of confs.values()) {
      expect(conf).toMatch(
        new RegExp(
          `^vrrp_track_file lan_fault \\{\\s+file ${LAN_FAULT_FILE}\\s+init_file 0\\s+\\}`,
          "m",
        ),
      );
      expect(conf).not.toContain("track_interface");
      const list = instances(conf);
      expect(list).toHaveLength(inv.servers.length);
      // No VIP before the install services run: failed until the ready check first passes.
      expect(conf).toMatch(
        new RegExp(
          `^vrrp_script services_ready \\{\\s+script "${READY_SCRIPT}"\\s+interval 1\\s+` +
            `fall 2\\s+rise 1\\s+init_fail\\s+\\}`,
          "m",
        ),
      );
      for (const i of list) {
        expect(i.body).toMatch(/track_file \{\s+lan_fault weight 0\s+\}/);
        expect(i.body).toMatch(/track_script \{\s+services_ready\s+\}/);
        expect(i.body).toContain(`notify ${NOTIFY}`);
      }
    }
  });

  it("repeats gratuitous ARPs after every change to MASTER", () => {
    for (const conf of confs.values()) {
      const global = /global_defs \{([\s\S]*?)\n\}/.exec(conf)?.[1] ?? "";
      expect(global).toMatch(/^\s+vrrp_garp_master_repeat 5$/m);
      expect(global).toMatch(/^\s+vrrp_garp_interval 0\.2$/m);
      expect(global).toMatch(/^\s+vrrp_garp_master_delay 3$/m);
    }
  });

  it("is accepted by the real keepalived -t on every server, with and without ha.ping", () => {
    // Deliberately no skip: setup installs keepalived, and a missing one must fail loudly.
    expect(existsSync(KEEPALIVED), `${KEEPALIVED} (Debian package keepalived)`).toBe(true);
    for (const [label, c] of [
      ["no ping", cluster],
      ["ha.ping", pingCluster],
    ] as const)
      for (const [name, files] of c) {
        const r = inKeepalivedHost(files, `keepalived -t -f ${CONF}`);
        expect(r.code, `${label} ${name}: ${r.output}`).toBe(0);
      }
  });

  it("fails keepalived -t on a broken track-file block (the check can fail)", () => {
    const files = (cluster.get("s1") ?? []).map((f) =>
      f.path === CONF ? { ...f, content: f.content.replace("init_file 0", "init_fiel 0") } : f,
    );
    const r = inKeepalivedHost(files, `keepalived -t -f ${CONF}`);
    expect(r.code, r.output).not.toBe(0);
  });

  it("names the ping address in its comment only with ha.ping, and changes nothing else", () => {
    for (const s of inv.servers) {
      const plain = fileAt(cluster.get(s.name) ?? [], CONF).content;
      const pinged = fileAt(pingCluster.get(s.name) ?? [], CONF).content;
      expect(plain).not.toContain("10.9.0.250");
      expect(pinged).toContain("neither\n# 10.9.0.250 nor a peer answers");
      const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
      expect(body(pinged)).toEqual(body(plain));
    }
  });
});

describe("vrrpPriority", () => {
  it("ranks the owner, then every other server in ring order, far enough apart", () => {
    for (let n = 2; n <= 12; n++)
      for (let owner = 0; owner < n; owner++) {
        const ring = Array.from({ length: n }, (_, k) => vrrpPriority(owner, (owner + k) % n, n));
        expect(ring[0]).toBe(200);
        for (let k = 1; k < n; k++) {
          const p = ring[k] ?? 0;
          expect(p).toBeGreaterThanOrEqual(1);
          // One priority step is 1/256 of an advert of master-down skew: at least 10 steps keep
          // two backups' timers apart.
          expect((ring[k - 1] ?? 0) - p).toBeGreaterThanOrEqual(10);
        }
      }
  });
});

/**
 * Runs `command` as root in a throwaway network and mount namespace that looks like the server:
 * eth0 and eth1, the rendered /etc/keepalived, its own /var/log and /run, and `service` replaced
 * by a stub that records its arguments (and says "not running" to `status`).
 */
function inKeepalivedHost(
  files: RenderedFile[],
  command: string,
  setup = "",
): { code: number; output: string; serviceCalls: string[]; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "ksorch-keepalived-"));
  const etc = join(dir, "etc");
  mkdirSync(etc);
  for (const f of files.filter((x) => x.path.startsWith("/etc/keepalived/")))
    writeFileSync(join(etc, basename(f.path)), f.content, { mode: f.mode });
  // The ready check keepalived tracks (READY_SCRIPT).
  const sbin = join(dir, "sbin");
  mkdirSync(sbin);
  for (const f of files.filter((x) => x.path.startsWith("/usr/local/sbin/")))
    writeFileSync(join(sbin, basename(f.path)), f.content, { mode: f.mode });
  mkdirSync(join(dir, "bin"));
  writeFileSync(
    join(dir, "bin/service"),
    // A start leaves a "daemon" behind that keeps the descriptors it inherited, as dhcpd does.
    `#!/bin/sh\necho "$*" >> ${dir}/calls\n[ "$2" != start ] || sleep 30 &\n[ "$2" != status ] || exit 3\n`,
    { mode: 0o755 },
  );
  const script = [
    "ip link add eth0 type veth peer name eth1",
    `mount --bind ${etc} /etc/keepalived`,
    `mount --bind ${sbin} /usr/local/sbin`,
    "mount -t tmpfs none /var/log",
    "mount -t tmpfs none /run",
    setup,
    `export PATH=${dir}/bin:$PATH`,
    command,
    "rc=$?; cat /var/log/keepalived.log > " + `${dir}/log 2>/dev/null; exit $rc`,
  ].join("\n");
  const read = (f: string): string =>
    existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "";
  try {
    // Its own PID namespace too: the stub's "daemon" dies with it.
    const r = inSandbox(script);
    return {
      code: r.code,
      output: r.output,
      serviceCalls: read("calls")
        .split("\n")
        .filter((l) => l !== ""),
      log: read("log"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the notify script", () => {
  const first = inv.servers[0];
  const files = cluster.get(inv.servers[1]?.name ?? "") ?? [];
  const notify = (args: string, vipHeld: boolean) =>
    inKeepalivedHost(
      files,
      `${NOTIFY} INSTANCE ${args}`,
      vipHeld ? `ip addr add ${first?.vip}/24 dev eth0` : "",
    );

  it("starts dhcpd where the first VIP is, and logs the change in keepalived's format", () => {
    const r = notify("VIP_s1 MASTER 150", true);
    expect(r.code, r.output).toBe(0);
    expect(r.serviceCalls).toEqual(["isc-dhcp-server status", "isc-dhcp-server start"]);
    const [entry] = parseKeepalivedLog(r.log, {
      year: new Date().getFullYear(),
      utcOffsetMinutes: 0,
    });
    expect(entry?.event).toEqual({ kind: "acquire", subject: "VIP_s1" });
    expect(entry?.resolutionMs).toBe(1);
  });

  it("stops dhcpd on BACKUP, FAULT and STOP, and on a MASTER whose VIP is already gone", () => {
    for (const [args, held] of [
      ["VIP_s1 BACKUP 150", false],
      ["VIP_s1 FAULT 150", false],
      ["VIP_s1 STOP 150", true],
      ["VIP_s1 MASTER 150", false],
    ] as const) {
      const r = notify(args, held);
      expect(r.code, r.output).toBe(0);
      expect(r.serviceCalls, args).toEqual(["isc-dhcp-server stop"]);
    }
  });

  it("is not blocked by the dhcpd it started (the lock is not inherited)", () => {
    const vip = `${first?.vip}/24`;
    const r = inKeepalivedHost(
      files,
      [
        `timeout 5 ${NOTIFY} INSTANCE VIP_s1 MASTER 150`,
        `ip addr del ${vip} dev eth0`,
        `timeout 5 ${NOTIFY} INSTANCE VIP_s1 BACKUP 150`,
      ].join(" && "),
      `ip addr add ${vip} dev eth0`,
    );
    expect(r.code, r.output).toBe(0);
    expect(r.serviceCalls).toEqual([
      "isc-dhcp-server status",
      "isc-dhcp-server start",
      "isc-dhcp-server stop",
    ]);
  });

  it("leaves dhcpd alone for the other VIPs", () => {
    const r = notify("VIP_s2 MASTER 200", false);
    expect(r.serviceCalls).toEqual([]);
    expect(parseKeepalivedLog(r.log, { year: 2026, utcOffsetMinutes: 0 })[0]?.event).toEqual({
      kind: "acquire",
      subject: "VIP_s2",
    });
    const stop = notify("VIP_s2 STOP 200", false);
    expect(parseKeepalivedLog(stop.log, { year: 2026, utcOffsetMinutes: 0 })[0]?.event?.kind).toBe(
      "stopped",
    );
  });
});
