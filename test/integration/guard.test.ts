// The rendered HA guard run for real, as root, in a throwaway network namespace: a veth eth0
// carries the VIPs, a copy of bash named `heartbeat` stands in for the engine (its comm is
// `heartbeat`, its PID in a private pidfile), and `service`, hb_standby and hb_takeover are
// stubs that record their arguments. Only the pidfile, log and handover paths of the script are
// changed (by sed-like replacements); everything it decides is as rendered.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { LAN_FAULT_FILE } from "../../src/render/guard.js";
import { VIP_RESOURCE } from "../../src/render/heartbeat.js";
import { renderServer } from "../../src/render/render.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE, labText } from "../inventory/fixture.js";
import { TEST_SECRETS, fileAt } from "../render/fixture.js";

const NS = `ksorch-guardtest-${process.pid}`;
const VIPS = ["192.168.0.253/24", "192.168.0.254/24"];
const dir = mkdtempSync(join(tmpdir(), "ksorch-guardtest-"));
const PIDFILE = join(dir, "heartbeat.pid");
const LOG = join(dir, "guard.log");
const CALLS = join(dir, "calls");
const FAULT = join(dir, "lan-fault");
const started: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : "");
const calls = () => read(CALLS).split("\n").filter(Boolean);

function sh(...args: string[]): string {
  const r = spawnSync(args[0] ?? "", args.slice(1), { encoding: "utf8" });
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const inNs = (...args: string[]) => sh("ip", "netns", "exec", NS, ...args);
const vipsOnEth0 = () =>
  VIPS.filter((v) => inNs("ip", "-o", "addr", "show", "dev", "eth0").includes(` ${v} `));

/** Alive and not a zombie. */
function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  const stat = read(`/proc/${pid}/stat`);
  return stat !== "" && stat.split(") ")[1]?.[0] !== "Z";
}

async function until(what: string, ok: () => boolean, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > withinMs)
      throw new Error(`not within ${withinMs} ms: ${what}\n${read(LOG)}`);
    await sleep(20);
  }
  return Date.now() - t0;
}

function start(cmd: string, args: string[]): ChildProcess {
  // Detached: a process group of its own, so the guard's group kill never reaches vitest.
  const p = spawn(cmd, args, {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` },
  });
  started.push(p);
  return p;
}

function stop(p: ChildProcess | undefined): void {
  if (p?.pid && alive(p.pid)) {
    try {
      process.kill(-p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The stand-in engine: a bash named heartbeat, leading a session of its own (detached), with
 *  a sleep in a process group of its own in that session (job control), as heartbeat runs its
 *  resource scripts. */
async function standIn(): Promise<{ engine: ChildProcess; childPid: number }> {
  rmSync(join(dir, "child.pid"), { force: true });
  const engine = start(join(dir, "heartbeat"), [
    "-c",
    `set -m; sleep 600 & echo $! > ${dir}/child.pid; wait`,
  ]);
  writeFileSync(PIDFILE, `${engine.pid}\n`);
  await until("stand-in child", () => read(join(dir, "child.pid")) !== "", 2000);
  const childPid = Number(read(join(dir, "child.pid")));
  expect(read(`/proc/${engine.pid}/comm`)).toBe("heartbeat\n");
  const [pgid, sid] = (read(`/proc/${childPid}/stat`).split(") ")[1] ?? "").split(" ").slice(2, 4);
  expect([Number(pgid), Number(sid)]).toEqual([childPid, engine.pid]);
  return { engine, childPid };
}

function render(engine: "heartbeat" | "keepalived"): string {
  let text = labText()
    .replace(/^ {2}ping: .*\n/m, "")
    .replace(/^ {2}fence: >-\n(?: {4}.*\n)+/m, "");
  if (engine === "keepalived") text = text.replace("engine: heartbeat", "engine: keepalived");
  const inv = parseInventory(text, LAB_FILE);
  const files = renderServer(inv, planTopology(inv), "server1", TEST_SECRETS);
  const script = fileAt(files, "/usr/local/sbin/ksorch-ha-guard").content;
  const edited = script
    .replace(/^PIDFILE=.*$/m, () => `PIDFILE=${PIDFILE}`)
    .replace(/^PIDFILES=.*$/m, () => `PIDFILES=(${PIDFILE})`)
    .replace(/^LOG=.*$/m, () => `LOG=${LOG}`)
    .replaceAll("/usr/share/heartbeat/", `${dir}/bin/`)
    .replaceAll(LAN_FAULT_FILE, FAULT);
  for (const [from, to] of [
    ["PIDFILE=", PIDFILE],
    ["LOG=", LOG],
  ] as const)
    expect(edited).toContain(`${from}${to}\n`);
  expect(edited).not.toMatch(/\/var\/run|\/run\/ksorch|\/usr\/share\/heartbeat|\/var\/log/);
  const file = join(dir, `guard-${engine}.sh`);
  writeFileSync(file, edited, { mode: 0o755 });
  return file;
}

async function startGuard(engine: "heartbeat" | "keepalived"): Promise<ChildProcess> {
  rmSync(LOG, { force: true });
  rmSync(CALLS, { force: true });
  const guard = start("ip", ["netns", "exec", NS, "bash", render(engine)]);
  await until("guard started", () => read(LOG).includes(`guarding ${engine} on server1`), 3000);
  return guard;
}

function addVips(): void {
  for (const v of VIPS) inNs("ip", "addr", "replace", v, "dev", "eth0");
  expect(vipsOnEth0()).toEqual(VIPS);
}

beforeAll(() => {
  expect(process.getuid?.(), "the guard test needs root").toBe(0);
  sh("ip", "netns", "add", NS);
  // A veth pair inside the namespace (this kernel has no dummy driver): eth0 has a carrier
  // while both ends are up.
  inNs("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
  inNs("ip", "link", "set", "eth0p", "up");
  inNs("ip", "link", "set", "eth0", "up");
  inNs("ip", "addr", "add", "192.168.0.1/24", "dev", "eth0");
  sh("mkdir", join(dir, "bin"));
  copyFileSync("/bin/bash", join(dir, "heartbeat"));
  chmodSync(join(dir, "heartbeat"), 0o755);
  for (const stub of ["service", "hb_standby", "hb_takeover"]) {
    const name = stub === "service" ? "" : `${stub} `;
    writeFileSync(
      join(dir, "bin", stub),
      `#!/bin/sh\necho "${name}$*" >> ${CALLS}\n[ "$2" != status ] || exit 3\n`,
      { mode: 0o755 },
    );
  }
});

afterEach(() => {
  for (const p of started.splice(0)) stop(p);
  const child = Number(read(join(dir, "child.pid")));
  if (child && alive(child)) process.kill(child, "SIGKILL");
});

afterAll(() => {
  spawnSync("ip", ["netns", "del", NS]);
  rmSync(dir, { recursive: true, force: true });
});

describe("the HA guard, run for real", () => {
  it("releases every VIP within a second of the engine's kill -9, and logs it", async () => {
    addVips();
    const { engine } = await standIn();
    await startGuard("heartbeat");
    await sleep(300); // a few ticks: the guard has seen the engine run
    expect(vipsOnEth0()).toEqual(VIPS);
    process.kill(engine.pid ?? 0, "SIGKILL");
    const ms = await until("VIPs released", () => vipsOnEth0().length === 0, 1000);
    expect(ms).toBeLessThan(1000);
    const log = read(LOG);
    expect(log).toContain("heartbeat is gone");
    for (const v of VIPS) expect(log).toContain(`released ${v}`);
    // dhcpd is asked about, not stopped (the stub says it does not run); no restart.
    expect(calls()).toEqual(["isc-dhcp-server status"]);
    // The server's own address stays.
    expect(inNs("ip", "-o", "addr", "show", "dev", "eth0")).toContain(" 192.168.0.1/24 ");
  });

  it("after a stop longer than FROZEN_CS, kills the engine's session, releases and restarts it", async () => {
    addVips();
    const { engine, childPid } = await standIn();
    const guard = await startGuard("heartbeat");
    const frozenCs = Number(/^FROZEN_CS=(\d+)$/m.exec(read(join(dir, "guard-heartbeat.sh")))?.[1]);
    expect(frozenCs).toBe(50);
    await sleep(300);
    process.kill(guard.pid ?? 0, "SIGSTOP");
    process.kill(engine.pid ?? 0, "SIGSTOP");
    await sleep(frozenCs * 10 + 700);
    expect(vipsOnEth0()).toEqual(VIPS);
    process.kill(engine.pid ?? 0, "SIGCONT");
    process.kill(guard.pid ?? 0, "SIGCONT");
    await until("VIPs released", () => vipsOnEth0().length === 0, 1000);
    await until(
      "engine and its session killed",
      () => !alive(engine.pid) && !alive(childPid),
      1000,
    );
    await until("engine restarted", () => calls().includes("heartbeat start"), 3000);
    const log = read(LOG);
    expect(log).toMatch(/no tick for \d+0 ms: this server was stopped/);
    expect(Number(/no tick for (\d+)0 ms/.exec(log)?.[1])).toBeGreaterThan(frozenCs);
    expect(log).toContain("restarting heartbeat");
    expect(log).not.toContain("heartbeat is gone");
    expect(existsSync(PIDFILE)).toBe(false);
    expect(calls()).toEqual(["isc-dhcp-server status", "heartbeat start"]);
  });

  it("does nothing while the engine runs and no tick is late", async () => {
    addVips();
    await standIn();
    await startGuard("heartbeat");
    await sleep(1500);
    expect(vipsOnEth0()).toEqual(VIPS);
    expect(calls()).toEqual([]);
    expect(read(LOG).trim().split("\n")).toHaveLength(1);
  });

  it("heartbeat: hands over with hb_standby when the LAN carrier is lost, back with hb_takeover", async () => {
    await startGuard("heartbeat");
    inNs("ip", "link", "set", "eth0", "down");
    try {
      expect(
        spawnSync("ip", ["netns", "exec", NS, "cat", "/sys/class/net/eth0/carrier"]).status,
      ).not.toBe(0);
      await until("hb_standby", () => calls().includes("hb_standby all"), 1000);
      expect(read(LOG)).toContain("LAN lost on eth0: handing over");
    } finally {
      inNs("ip", "link", "set", "eth0", "up");
    }
    await until("hb_takeover", () => calls().includes("hb_takeover local"), 1000);
    expect(read(LOG)).toContain("LAN back on eth0");
    expect(calls()).toEqual(["hb_standby all", "hb_takeover local"]);
  });

  it("keepalived: writes 1 to the LAN-fault file when the carrier is lost, 0 when it returns", async () => {
    writeFileSync(FAULT, "1\n");
    await startGuard("keepalived");
    expect(read(FAULT)).toBe("0\n"); // reset at start
    inNs("ip", "link", "set", "eth0", "down");
    try {
      await until("fault file 1", () => read(FAULT) === "1\n", 1000);
      expect(read(LOG)).toContain("LAN lost on eth0: handing over");
    } finally {
      inNs("ip", "link", "set", "eth0", "up");
    }
    await until("fault file 0", () => read(FAULT) === "0\n", 1000);
    expect(calls()).toEqual([]);
  });
});

describe("heartbeat's VIP resource (ksorch-vip), run for real", () => {
  /** The rendered script, send_arp replaced by a stub that records its arguments and waits. */
  function vipScript(): string {
    const inv = parseInventory(labText(), LAB_FILE);
    const files = renderServer(inv, planTopology(inv), "server1", TEST_SECRETS);
    const rendered = fileAt(files, `/etc/ha.d/resource.d/${VIP_RESOURCE}`);
    expect(rendered.mode).toBe(0o755);
    const stub = join(dir, "bin", "send_arp");
    writeFileSync(
      stub,
      [
        "#!/bin/sh",
        `echo "send_arp $*" >> ${CALLS}`,
        // As send_arp's -p does: its own PID in the file named.
        'while [ $# -gt 0 ]; do [ "$1" = -p ] && echo $$ > "$2"; shift; done',
        "exec sleep 60",
        "",
      ].join("\n"),
      {
        mode: 0o755,
      },
    );
    const script = rendered.content
      .replace("/usr/libexec/heartbeat/send_arp", stub)
      .replace(/^arp_pidfile=.*$/m, () => `arp_pidfile=${dir}/arp-$vip`);
    expect(script).not.toContain("/usr/libexec/heartbeat");
    const file = join(dir, "ksorch-vip");
    writeFileSync(file, script, { mode: 0o755 });
    return file;
  }
  const vip = "192.168.0.253/24/eth0";

  it("adds the VIP and announces it, reports it, and removes it with its ARP sender", async () => {
    rmSync(CALLS, { force: true });
    for (const v of VIPS)
      spawnSync("ip", ["netns", "exec", NS, "ip", "addr", "del", v, "dev", "eth0"]);
    const script = vipScript();
    expect(inNs(script, vip, "status").trim()).toBe("stopped");
    inNs(script, vip, "start");
    expect(vipsOnEth0()).toEqual(["192.168.0.253/24"]);
    expect(inNs(script, vip, "status").trim()).toBe("running");
    await until("send_arp started", () => calls().length > 0, 2000);
    expect(calls()).toEqual([
      "send_arp -i 500 -r 10 -p " +
        `${dir}/arp-192.168.0.253 eth0 192.168.0.253 auto 192.168.0.253 ffffffffffff`,
    ]);
    // A second start (heartbeat re-acquires its own groups) keeps one address.
    inNs(script, vip, "start");
    expect(vipsOnEth0()).toEqual(["192.168.0.253/24"]);
    await until("pidfile written", () => read(`${dir}/arp-192.168.0.253`) !== "", 2000);
    const arpPid = Number(read(`${dir}/arp-192.168.0.253`));
    inNs(script, vip, "stop");
    expect(vipsOnEth0()).toEqual([]);
    expect(inNs(script, vip, "status").trim()).toBe("stopped");
    await until("send_arp stopped", () => !alive(arpPid), 2000);
    // Stopping what is not held succeeds: heartbeat releases every group on its way down.
    inNs(script, vip, "stop");
  });

  /**
   * A stand-in TFTP transfer: a bash named in.tftpd with a UDP socket from the VIP to a
   * client (a route makes the VIP its source), reading a 4 KB block of a file every 0.1 s for
   * `blocks` blocks (0: reading nothing, stalled), then exiting.
   */
  function transfer(blocks: number): ChildProcess {
    inNs("ip", "route", "replace", "192.168.0.99/32", "dev", "eth0", "src", "192.168.0.253");
    const tftpd = join(dir, "in.tftpd");
    if (!existsSync(tftpd)) {
      copyFileSync("/bin/bash", tftpd);
      chmodSync(tftpd, 0o755);
      writeFileSync(join(dir, "block"), "x".repeat(4096));
    }
    const loop =
      blocks > 0
        ? `for i in $(seq ${blocks}); do read -r -N 4096 _ <${dir}/block; sleep 0.1; done`
        : "sleep 30; :"; // not bash's last command: it would exec sleep, no longer in.tftpd
    return start("ip", [
      ...["netns", "exec", NS, tftpd, "-c"],
      `exec 3<>/dev/udp/192.168.0.99/6999; ${loop}`,
    ]);
  }
  const inFlight = () => inNs("ss", "-Hnup", "state", "established", "src", "192.168.0.253");

  it("stop waits for a TFTP transfer in flight from the VIP, serving meanwhile", async () => {
    const script = vipScript();
    inNs(script, vip, "start");
    transfer(15);
    await until("transfer in flight", () => inFlight().includes('"in.tftpd"'), 2000);
    const t0 = Date.now();
    const stopping = start("ip", ["netns", "exec", NS, script, vip, "stop"]);
    const stopped = new Promise((resolve) => stopping.once("exit", resolve));
    await sleep(500);
    expect(vipsOnEth0()).toEqual(["192.168.0.253/24"]);
    expect(await stopped).toBe(0);
    const waited = Date.now() - t0;
    // The transfer's 1.5 s, not cut: the address went once it was done.
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(3000);
    expect(inFlight()).toBe("");
    expect(vipsOnEth0()).toEqual([]);
  });

  it("stop does not wait for a transfer that moves nothing, nor for one without a carrier", async () => {
    const script = vipScript();
    inNs(script, vip, "start");
    const stalled = transfer(0);
    await until("transfer in flight", () => inFlight().includes('"in.tftpd"'), 2000);
    let t0 = Date.now();
    inNs(script, vip, "stop");
    // Five unchanged samples 0.1 s apart, far below the 3 s cap.
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(vipsOnEth0()).toEqual([]);
    inNs(script, vip, "start");
    transfer(30);
    inNs("ip", "link", "set", "eth0p", "down");
    try {
      t0 = Date.now();
      inNs(script, vip, "stop");
      expect(Date.now() - t0).toBeLessThan(500);
      expect(vipsOnEth0()).toEqual([]);
    } finally {
      inNs("ip", "link", "set", "eth0p", "up");
      stop(stalled);
    }
  });
});
