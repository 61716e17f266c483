import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import {
  checkMode,
  injectFault,
  preflightFault,
  undoFault,
  type FaultContext,
} from "../../src/drill/faults.js";
import type { LabHooks } from "../../src/drill/lab-hooks.js";
import type { Server } from "../../src/inventory/types.js";
import { FakeTransport } from "../../src/transport/fake.js";

const target = {
  name: "server1",
  interface: "eth0",
  heartbeat: { interface: "eth1", address: "10.0.0.3", prefixLength: 24 },
  os: "debian",
} as Server;

function context(
  t: FakeTransport,
  mode: FaultContext["mode"],
  lab?: LabHooks,
  linkFault?: FaultContext["linkFault"],
): FaultContext {
  return {
    mode,
    target,
    ha: heartbeatOps,
    ...(lab ? { lab } : {}),
    transport: () => t,
    reconnect: async () => t,
    linkRestoreS: 63,
    ...(linkFault ? { linkFault } : {}),
  };
}

/** A lab that records what the drill asked of it; `fenced` makes thaw find the host off. */
function fakeLab(calls: string[], fenced = false): LabHooks {
  return {
    name: "l",
    powerOff: async (s) => (calls.push(`off ${s}`), 42),
    powerOn: async (s) => void calls.push(`on ${s}`),
    linkDown: async (s, ifname, how) => (calls.push(`down ${s} ${ifname} ${how}`), 43),
    linkUp: async (s, ifname) => void calls.push(`up ${s} ${ifname}`),
    freeze: async (s) => (calls.push(`freeze ${s}`), 44),
    thaw: async (s) => (calls.push(`thaw ${s}`), fenced ? "powered-on" : "resumed"),
    poweredOffSince: async () => undefined,
    runWave: async () => ({ clients: [], transfers: [] }),
  };
}

describe("faults", () => {
  it("stops heartbeat on the target and takes the fault time from the target's clock", async () => {
    const t = new FakeTransport("server1", [
      { match: "service heartbeat stop", answer: { stdout: "1795788734536619000\nStopping...\n" } },
    ]);
    const injected = injectFault(context(t, "stop"));
    expect(await injected.atMs).toBeCloseTo(1795788734536.619, 2);
    expect(t.commands()).toEqual(["date +%s%N; service heartbeat stop"]);
  });

  it("crashes heartbeat by the PIDs of its pidfile and children, never by name", async () => {
    const t = new FakeTransport("server1", [
      { match: "kill -9", answer: { stdout: "1795788734000000000\n" } },
    ]);
    await injectFault(context(t, "crash")).atMs;
    const [command] = t.commands();
    expect(command).toContain("cat /var/run/heartbeat.pid");
    expect(command).toContain("ps -o pid= --ppid");
    expect(command).not.toMatch(/killall|pkill/);
  });

  it("reports a fault command that failed", async () => {
    const t = new FakeTransport("server1", [
      { match: "heartbeat", answer: { exitCode: 3, stderr: "no pidfile" } },
    ]);
    await expect(injectFault(context(t, "crash")).atMs).rejects.toThrow(
      /fault crash failed \(exit 3\): no pidfile/,
    );
  });

  it("cuts a real server's link with a restore timer first, and survives losing the connection", async () => {
    const t = new FakeTransport("server1", [
      {
        match: "ip link set dev eth0 down",
        answer: () => {
          throw new Error("connection lost");
        },
      },
    ]);
    const injected = injectFault(context(t, "link"));
    expect(await injected.atMs).toBe(injected.sentAtMs);
    const [command] = t.commands();
    expect(command?.indexOf("sleep 63; ip link set dev eth0 up")).toBeLessThan(
      command?.indexOf("down") ?? 0,
    );
  });

  it("brings a real server's link back, reconnecting once its own timer restored the link", async () => {
    const t = new FakeTransport("server1", [{ match: "ip link set dev eth0 up", answer: {} }]);
    let attempts = 0;
    const ctx = {
      ...context(t, "link"),
      linkRestoreS: 0,
      reconnect: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("no route to host");
        return t;
      },
    };
    await undoFault(ctx);
    expect(attempts).toBe(2);
    expect(t.commands()[0]).toMatch(/^ip link set dev eth0 up; /);
  });

  it("uses the lab for power and links, and refuses poweroff without one", async () => {
    const calls: string[] = [];
    const lab = fakeLab(calls);
    const t = new FakeTransport("server1");
    expect(await injectFault(context(t, "poweroff", lab)).atMs).toBe(42);
    expect(await undoFault(context(t, "poweroff", lab))).toEqual({ rebooted: true });
    expect(await injectFault(context(t, "link", lab)).atMs).toBe(43);
    await undoFault(context(t, "link", lab));
    expect(calls).toEqual([
      "off server1",
      "on server1",
      "down server1 eth0 down",
      "up server1 eth0",
    ]);
    expect(t.commands()).toEqual([]);
    expect(() => checkMode("poweroff", undefined)).toThrow(InputError);
    expect(() => checkMode("poweroff", lab)).not.toThrow();
  });

  it("breaks the heartbeat interface for crossover, the LAN's for link, as --link-fault says", async () => {
    const calls: string[] = [];
    const lab = fakeLab(calls);
    const t = new FakeTransport("server1");
    await injectFault(context(t, "crossover", lab)).atMs;
    await undoFault(context(t, "crossover", lab));
    await injectFault(context(t, "crossover", lab, "drop")).atMs;
    await undoFault(context(t, "crossover", lab, "drop"));
    await injectFault(context(t, "link", lab, "drop")).atMs;
    expect(calls).toEqual([
      "down server1 eth1 down",
      "up server1 eth1",
      "down server1 eth1 drop",
      "up server1 eth1",
      "down server1 eth0 drop",
    ]);
    expect(t.commands()).toEqual([]);
  });

  it("freezes and resumes the target in the lab, and refuses freeze on real servers", async () => {
    const calls: string[] = [];
    const t = new FakeTransport("server1");
    const lab = fakeLab(calls);
    expect(await injectFault(context(t, "freeze", lab)).atMs).toBe(44);
    expect(await undoFault(context(t, "freeze", lab))).toEqual({ rebooted: false });
    expect(calls).toEqual(["freeze server1", "thaw server1"]);
    expect(() => checkMode("freeze", undefined)).toThrow(
      "--mode freeze needs the local lab: a stopped server cannot be resumed from outside",
    );
    expect(() => checkMode("freeze", "lab")).not.toThrow();
    expect(() => checkMode("crossover", undefined)).not.toThrow();
  });

  it("reconnects to a frozen target that was fenced (powered off) during the freeze", async () => {
    const t = new FakeTransport("server1");
    let reconnects = 0;
    const ctx = {
      ...context(t, "freeze", fakeLab([], true)),
      reconnect: async () => (reconnects++, t),
    };
    expect(await undoFault(ctx)).toEqual({ rebooted: true });
    expect(reconnects).toBe(1);
  });

  it("cuts a real server's crossover link with a restore timer first", async () => {
    const t = new FakeTransport("server1", [
      { match: "ip link set dev eth1 down", answer: { stdout: "1795788734000000000\n" } },
    ]);
    expect(await injectFault(context(t, "crossover")).atMs).toBe(1795788734000);
    const [command] = t.commands();
    expect(command?.indexOf("sleep 63; ip link set dev eth1 up")).toBeLessThan(
      command?.indexOf("ip link set dev eth1 down") ?? 0,
    );
    expect(command).not.toContain("eth0");
  });

  it("drops every packet on a real server's link with iptables, the timer deleting those rules", async () => {
    const t = new FakeTransport("server1", [
      { match: "iptables -w -I", answer: { stdout: "1795788734000000000\n" } },
    ]);
    await injectFault(context(t, "crossover", undefined, "drop")).atMs;
    const [command = ""] = t.commands();
    const rule = (op: string, chain: string, dir: string) =>
      `iptables -w ${op} ${chain} ${dir} eth1 -m comment --comment ksorch-drill -j DROP`;
    expect(command).toContain(rule("-I", "INPUT", "-i"));
    expect(command).toContain(rule("-I", "OUTPUT", "-o"));
    // The check for iptables, then the timer (which deletes exactly those rules), then the rules.
    const timer = command.indexOf("sleep 63");
    expect(command.indexOf("command -v iptables")).toBeLessThan(timer);
    expect(timer).toBeLessThan(command.indexOf(rule("-I", "INPUT", "-i")));
    expect(command.slice(timer)).toContain(rule("-D", "INPUT", "-i"));
    expect(command).not.toContain("ip link set");
  });

  it("reports a real server without iptables clearly, before and during a drop fault", async () => {
    const missing = {
      exitCode: 127,
      stderr: "ksorch: iptables is missing on this server: install it, or use --link-fault down\n",
    };
    const t = new FakeTransport("server1", [
      { match: "iptables -w -I", answer: missing },
      { match: "command -v iptables", answer: { exitCode: 1 } },
    ]);
    await expect(injectFault(context(t, "link", undefined, "drop")).atMs).rejects.toThrow(
      "server1: fault link failed: ksorch: iptables is missing on this server",
    );
    await expect(preflightFault(context(t, "crossover", undefined, "drop"))).rejects.toThrow(
      /--link-fault drop needs iptables on the server/,
    );
    // Nothing to check for a carrier cut, or in the lab.
    await preflightFault(context(t, "crossover"));
    await preflightFault(context(t, "crossover", fakeLab([]), "drop"));
    expect(t.commands().filter((c) => c === "command -v iptables >/dev/null 2>&1")).toHaveLength(1);
  });

  it("undoes a real crossover drop over the open connection, deleting only the drill's rules", async () => {
    const t = new FakeTransport("server1", [{ match: "iptables -w -D", answer: {} }]);
    let reconnects = 0;
    const ctx = {
      ...context(t, "crossover", undefined, "drop"),
      reconnect: async () => (reconnects++, t),
    };
    await undoFault(ctx);
    expect(reconnects).toBe(0);
    const [command = ""] = t.commands();
    expect(command).toContain(
      "while iptables -w -D OUTPUT -o eth1 -m comment --comment ksorch-drill -j DROP 2>/dev/null; do :; done",
    );
    expect(command).not.toContain("iptables -w -I");
  });

  it("undoes stop and crash by starting the engine", async () => {
    const t = new FakeTransport("server1", [{ match: "service heartbeat start", answer: {} }]);
    await undoFault(context(t, "crash"));
    expect(t.commands()).toEqual(["service heartbeat start"]);
  });
});
