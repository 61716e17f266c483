import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { heartbeatOps } from "../../src/ha/heartbeat/ops.js";
import { checkMode, injectFault, undoFault, type FaultContext } from "../../src/drill/faults.js";
import type { LabHooks } from "../../src/drill/lab-hooks.js";
import type { Server } from "../../src/inventory/types.js";
import { FakeTransport } from "../../src/transport/fake.js";

const target = { name: "server1", interface: "eth0", os: "debian" } as Server;

function context(t: FakeTransport, mode: FaultContext["mode"], lab?: LabHooks): FaultContext {
  return {
    mode,
    target,
    ha: heartbeatOps,
    ...(lab ? { lab } : {}),
    transport: () => t,
    reconnect: async () => t,
    linkRestoreS: 63,
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
    const lab = {
      name: "l",
      powerOff: async (s: string) => (calls.push(`off ${s}`), 42),
      powerOn: async (s: string) => void calls.push(`on ${s}`),
      linkDown: async (s: string) => (calls.push(`down ${s}`), 43),
      linkUp: async (s: string) => void calls.push(`up ${s}`),
      runWave: async () => ({ clients: [], transfers: [] }),
    };
    const t = new FakeTransport("server1");
    expect(await injectFault(context(t, "poweroff", lab)).atMs).toBe(42);
    await undoFault(context(t, "poweroff", lab));
    expect(await injectFault(context(t, "link", lab)).atMs).toBe(43);
    await undoFault(context(t, "link", lab));
    expect(calls).toEqual(["off server1", "on server1", "down server1", "up server1"]);
    expect(t.commands()).toEqual([]);
    expect(() => checkMode("poweroff", undefined)).toThrow(InputError);
    expect(() => checkMode("poweroff", lab)).not.toThrow();
  });

  it("undoes stop and crash by starting the engine", async () => {
    const t = new FakeTransport("server1", [{ match: "service heartbeat start", answer: {} }]);
    await undoFault(context(t, "crash"));
    expect(t.commands()).toEqual(["service heartbeat start"]);
  });
});
