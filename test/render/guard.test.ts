// The HA guard (templates/ha-guard.sh.ejs), its boot script or unit, and heartbeat's fence
// resource (templates/ha-fence.sh.ejs) as rendered: contents, modes, and shell syntax.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import { keepalivedOps } from "../../src/ha/keepalived/ops.js";
import type { Inventory } from "../../src/inventory/types.js";
import { parseInventory } from "../../src/inventory/load.js";
import { LAN_FAULT_FILE } from "../../src/render/guard.js";
import { renderServer } from "../../src/render/render.js";
import type { RenderedFile } from "../../src/render/types.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE, labText, labWith } from "../inventory/fixture.js";
import { TEST_SECRETS, fileAt, labInventory } from "./fixture.js";

const GUARD = "/usr/local/sbin/ksorch-ha-guard";
const INIT = "/etc/init.d/ksorch-ha-guard";
const UNIT = "/etc/systemd/system/ksorch-ha-guard.service";
const FENCE = "/etc/ha.d/resource.d/ksorch-fence";
const FENCE_RE = /^ {2}fence: >-\n(?: {4}.*\n)+/m;
const PING_RE = /^ {2}ping: .*\n/m;

const render = (inv: Inventory, server = "server1"): RenderedFile[] =>
  renderServer(inv, planTopology(inv), server, TEST_SECRETS);
const parse = (text: string): Inventory => parseInventory(text, LAB_FILE);
const lab = labInventory();
const noPing = parse(labText().replace(PING_RE, ""));
const keepalived = parse(
  labWith(["engine: heartbeat", "engine: keepalived"]).replace(FENCE_RE, ""),
);
const keepalivedNoPing = parse(
  labWith(["engine: heartbeat", "engine: keepalived"]).replace(FENCE_RE, "").replace(PING_RE, ""),
);
const withFence = (command: string): Inventory =>
  parse(labText().replace(FENCE_RE, () => `  fence: ${JSON.stringify(command)}\n`));

function syntax(shell: "sh" | "bash", script: string): { code: number; output: string } {
  const r = spawnSync(shell, ["-n"], { input: script, encoding: "utf8" });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

/** The single-line value of `NAME=...` in the guard. */
const assignment = (script: string, name: string): string | undefined =>
  new RegExp(`^${name}=(.*)$`, "m").exec(script)?.[1];

describe("the HA guard script", () => {
  it("is rendered on every server with mode 755, tag guard, no secret", () => {
    for (const inv of [lab, keepalived])
      for (const s of inv.servers) {
        const f = fileAt(render(inv, s.name), GUARD);
        expect(f).toMatchObject({ mode: 0o755, owner: "root", secret: false, tag: "guard" });
        expect(f.content.startsWith("#!/bin/bash\n")).toBe(true);
      }
  });

  it("passes bash -n for both engines, with and without ha.ping (and the check can fail)", () => {
    for (const inv of [lab, noPing, keepalived, keepalivedNoPing])
      for (const s of inv.servers) {
        const r = syntax("bash", fileAt(render(inv, s.name), GUARD).content);
        expect(r.code, `${inv.ha.engine} ${s.name}: ${r.output}`).toBe(0);
      }
    const broken = fileAt(render(lab), GUARD).content.replace(/^done$/m, "");
    expect(syntax("bash", broken).code).not.toBe(0);
  });

  it("carries every VIP with its prefix, the LAN interface and the engine's pidfile and name", () => {
    const hb = fileAt(render(lab, "server2"), GUARD).content;
    expect(assignment(hb, "LAN")).toBe("eth0");
    expect(assignment(hb, "VIPS")).toBe("(192.168.0.253/24 192.168.0.254/24)");
    expect(assignment(hb, "PIDFILE")).toBe(heartbeatOps.pidFile);
    expect(heartbeatOps.pidFile).toBe("/var/run/heartbeat.pid");
    expect(assignment(hb, "PIDFILES")).toBe(`(${heartbeatOps.pidFiles.join(" ")})`);
    expect(assignment(hb, "COMM")).toBe("heartbeat");
    expect(hb).toContain("setsid service heartbeat start ");
    // heartbeat's deadtime (500 ms) in centiseconds.
    expect(assignment(hb, "FROZEN_CS")).toBe("50");

    const ka = fileAt(render(keepalived, "server2"), GUARD).content;
    expect(assignment(ka, "VIPS")).toBe("(192.168.0.253/24 192.168.0.254/24)");
    expect(assignment(ka, "PIDFILE")).toBe(keepalivedOps.pidFile);
    expect(assignment(ka, "PIDFILES")).toBe(`(${keepalivedOps.pidFiles.join(" ")})`);
    expect(keepalivedOps.pidFiles).toContain(keepalivedOps.pidFile);
    expect(assignment(ka, "COMM")).toBe("keepalived");
    expect(ka).toContain("setsid service keepalived start ");
    // keepalived: at least a second (4 adverts of 100 ms are less).
    expect(assignment(ka, "FROZEN_CS")).toBe("100");
  });

  it("follows a LAN interface other than eth0", () => {
    const inv = parse(
      labWith(["address: 192.168.0.2\n", "address: 192.168.0.2\n    interface: lan1\n"]),
    );
    expect(assignment(fileAt(render(inv, "server2"), GUARD).content, "LAN")).toBe("lan1");
    expect(assignment(fileAt(render(inv, "server1"), GUARD).content, "LAN")).toBe("eth0");
  });

  it("pings ha.ping and the peers' LAN addresses only when ha.ping is set", () => {
    const s1 = fileAt(render(lab, "server1"), GUARD).content;
    expect(assignment(s1, "PING")).toBe("192.168.0.250");
    expect(assignment(s1, "PEERS")).toBe("(192.168.0.2)");
    expect(assignment(fileAt(render(lab, "server2"), GUARD).content, "PEERS")).toBe(
      "(192.168.0.1)",
    );
    expect(s1).toContain('exec ping -n -O -i 0.1 "$PING"');
    for (const inv of [noPing, keepalivedNoPing]) {
      const g = fileAt(render(inv), GUARD).content;
      expect(g).not.toMatch(/^PING=|^PEERS=/m);
      expect(g).not.toMatch(/\bping -/);
      expect(g).toContain("coproc TICKER { exec sleep infinity; }");
      expect(g).toContain("lan_ok() { lan_carrier; }");
    }
  });

  it("hands over with hb_standby and back with hb_takeover for heartbeat", () => {
    const g = fileAt(render(lab), GUARD).content;
    expect(g).toMatch(
      /handing over"\n\s+\/usr\/share\/heartbeat\/hb_standby all >>"\$LOG" 2>&1 &\n/,
    );
    expect(g).toMatch(/LAN back on \$LAN"\n\s+\/usr\/share\/heartbeat\/hb_takeover local /);
    expect(g).not.toContain(LAN_FAULT_FILE);
    // Without auto_failback the peer keeps what it took: nothing to take back.
    const noFailback = parse(labWith(["auto_failback: true", "auto_failback: false"]));
    const nf = fileAt(render(noFailback), GUARD).content;
    expect(nf).toContain("hb_standby all");
    expect(nf).not.toContain("hb_takeover");
    expect(nf).toMatch(/LAN back on \$LAN"\n\s+:\n/);
  });

  it("writes the LAN-fault file keepalived tracks, and clears it when it starts", () => {
    const g = fileAt(render(keepalived), GUARD).content;
    expect(LAN_FAULT_FILE).toBe("/run/ksorch-lan-fault");
    expect(g).toMatch(/handing over"\n\s+echo 1 >\/run\/ksorch-lan-fault\n/);
    expect(g).toMatch(/LAN back on \$LAN"\n\s+echo 0 >\/run\/ksorch-lan-fault\n/);
    expect(g).toMatch(/^log "guarding keepalived on server1"\necho 0 >\/run\/ksorch-lan-fault\n/m);
    expect(g).not.toContain("hb_standby");
  });

  it("stops the first server's dhcpd on release", () => {
    const g = fileAt(render(lab, "server2"), GUARD).content;
    expect(g).toContain(
      "service isc-dhcp-server status >/dev/null 2>&1 && service isc-dhcp-server stop",
    );
  });
});

describe("what starts the guard at boot", () => {
  it("Debian: a SysV init script, mode 755, that passes sh -n", () => {
    const files = render(lab);
    const init = fileAt(files, INIT);
    expect(init).toMatchObject({ mode: 0o755, tag: "guard", secret: false });
    expect(files.find((f) => f.path === UNIT)).toBeUndefined();
    expect(init.content).toMatch(/^# Provides: +ksorch-ha-guard$/m);
    expect(init.content).toContain(
      `--startas /bin/sh -- -c 'while :; do /usr/bin/chrt --rr 1 ${GUARD}; sleep 1; done'`,
    );
    const r = syntax("sh", init.content);
    expect(r.code, r.output).toBe(0);
    expect(syntax("sh", init.content.replace(/^esac$/m, "")).code).not.toBe(0);
  });

  it("RHEL: a systemd unit instead, mode 644, restarting the guard", () => {
    const rhel = parse(
      labText()
        .replaceAll("    os: debian\n", "")
        .replace("engine: heartbeat", "engine: keepalived")
        .replace(/^ {2}fence: [\s\S]*?\n\n/m, "\n"),
    );
    expect(rhel.servers.map((s) => s.os)).toEqual(["rhel", "rhel"]);
    const files = render(rhel);
    const unit = fileAt(files, UNIT);
    expect(unit).toMatchObject({ mode: 0o644, tag: "guard", secret: false });
    expect(files.find((f) => f.path === INIT)).toBeUndefined();
    for (const line of [
      "[Service]",
      `ExecStart=${GUARD}`,
      "Restart=always",
      "KillMode=control-group",
      "WantedBy=multi-user.target",
    ])
      expect(unit.content).toMatch(new RegExp(`^${line.replace(/[[\]]/g, "\\$&")}$`, "m"));
    expect(fileAt(files, GUARD).mode).toBe(0o755);
  });
});

describe("the fence resource script", () => {
  it("is rendered only with ha.fence, secret and mode 700, on both servers", () => {
    for (const s of lab.servers) {
      const f = fileAt(render(lab, s.name), FENCE);
      expect(f).toMatchObject({ mode: 0o700, secret: true, owner: "root", tag: "ha" });
      const r = syntax("sh", f.content);
      expect(r.code, r.output).toBe(0);
    }
    const unfenced = parse(labText().replace(FENCE_RE, ""));
    expect(unfenced.ha.fence).toBeUndefined();
    for (const inv of [unfenced, keepalived])
      for (const s of inv.servers)
        expect(render(inv, s.name).some((f) => f.path.includes("fence"))).toBe(false);
  });

  it("fences only the peer: its own group is left alone", () => {
    const s1 = fileAt(render(lab, "server1"), FENCE).content;
    expect(s1).toMatch(/^ {2}server2\) vip=192\.168\.0\.254 address=192\.168\.0\.2 ;;$/m);
    expect(s1).not.toMatch(/^ {2}server1\)/m);
    const s2 = fileAt(render(lab, "server2"), FENCE).content;
    expect(s2).toMatch(/^ {2}server1\) vip=192\.168\.0\.253 address=192\.168\.0\.1 ;;$/m);
  });

  it("keeps a command with single quotes one argument of sh -c, byte for byte", () => {
    for (const command of [
      lab.ha.fence ?? "",
      `echo 'it'"'"'s "$KSORCH_PEER"' > /tmp/x; ipmitool -P 'pa$$ w0rd' chassis power off`,
      "printf '%s\\n' \"$KSORCH_PEER\" `id` $(reboot) ; exit 0",
    ]) {
      const script = fileAt(render(withFence(command)), FENCE).content;
      expect(syntax("sh", script).code).toBe(0);
      const m = /sh -c (.*) >>\/var\/log\/ksorch-fence\.log 2>&1; then$/m.exec(script);
      expect(m, script).not.toBeNull();
      // Let sh itself parse the rendered word: one argument, the command unchanged.
      const r = spawnSync(
        "sh",
        ["-c", `set -- ${m?.[1] ?? ""}; printf '%s\\n' "$#"; printf '%s' "$1"`],
        {
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`1\n${command}`);
    }
  });

  it("runs the command with the peer's name and address in its environment", () => {
    const script = fileAt(render(lab, "server1"), FENCE).content;
    expect(script).toContain("KSORCH_PEER=$owner KSORCH_PEER_ADDRESS=$address sh -c ");
  });
});
