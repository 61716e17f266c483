import { describe, expect, it } from "vitest";
import { measure } from "../../src/drill/measure.js";
import { verdict } from "../../src/drill/verdict.js";
import type { Observation, Snapshot } from "../../src/drill/types.js";
import {
  MAC1,
  VIP2,
  T0,
  VIP1,
  baseObservation,
  carrierLine,
  crashScenario,
  stopScenario,
  vipLine,
} from "./scenario.js";

const judge = (obs: Observation) => verdict(obs, measure(obs));
const check = (obs: Observation, name: string) => judge(obs).checks.find((c) => c.name === name)!;

describe("measure", () => {
  it("times the takeover, the gratuitous ARP, the first answer and the failback", () => {
    const m = measure(stopScenario());
    expect(m.takeovers).toEqual([
      {
        vip: VIP1,
        survivor: "server2",
        onSurvivorMs: 420,
        releasedMs: 300,
        firstGarpMs: 425,
        firstAnswerMs: 900,
      },
    ]);
    expect(m.doubleOwnership).toEqual([]);
    expect(m.finalOwners).toEqual([
      { vip: VIP1, servers: ["server1"] },
      { vip: "192.168.0.254", servers: ["server2"] },
    ]);
    expect(m.dhcpAfterTakeover).toEqual(["server2"]);
    expect(m.failbackMs).toBe(12_100);
    expect(m.bytesByServer).toEqual([
      { server: "server1", beforeFault: 4_000_000, afterFault: 0 },
      { server: "server2", beforeFault: 3_000_000, afterFault: 5_000_000 },
    ]);
    // client1 got data at -1 s from server1, then nothing until +3 s from server2.
    expect(m.longestClientWait).toEqual({ client: "client1", fromMs: -1000, durationMs: 4000 });
  });

  it("counts a service's answer, not an ICMP error, as the first answer", () => {
    const obs = stopScenario();
    const icmp = {
      ...obs.packets[2]!.packet,
      atMs: T0 + 700,
      ipv4: { src: VIP1, dst: "192.168.0.128" },
    };
    obs.packets.splice(2, 0, { server: "server2", packet: icmp });
    expect(measure(obs).takeovers[0]?.firstAnswerMs).toBe(900);
  });

  it("ignores packets from the old owner's MAC when looking for the survivor's", () => {
    const obs = stopScenario();
    obs.packets = [{ server: "server2", packet: { ...obs.packets[1]!.packet, srcMac: MAC1 } }];
    const [t] = measure(obs).takeovers;
    expect(t?.firstGarpMs).toBeUndefined();
    expect(t?.firstAnswerMs).toBeUndefined();
  });

  it("measures double ownership when the dead engine leaves its VIP behind", () => {
    const m = measure(crashScenario());
    expect(m.takeovers[0]?.onSurvivorMs).toBe(1300);
    expect(m.doubleOwnership).toEqual([
      {
        vip: VIP1,
        servers: ["server1", "server2"],
        fromMs: T0 + 1300,
        toMs: T0 + 17_000,
        durationMs: 15_700,
      },
    ]);
  });

  it("does not count an address on a powered-off host or behind a dead link", () => {
    const off = baseObservation("poweroff");
    off.hostDown = [{ server: "server1", atMs: T0 }];
    off.monitor = [{ server: "server2", line: vipLine(T0 + 1600, VIP1) }];
    expect(measure(off).doubleOwnership).toEqual([]);
    expect(measure(off).takeovers[0]?.onSurvivorMs).toBe(1600);

    const link = baseObservation("link");
    link.monitor = [
      { server: "server1", line: carrierLine(T0 + 2, false) },
      { server: "server2", line: vipLine(T0 + 1600, VIP1) },
    ];
    expect(measure(link).doubleOwnership).toEqual([]);
    expect(measure(link).finalOwners[0]).toEqual({ vip: VIP1, servers: ["server2"] });
  });

  it("ignores overlaps shorter than the clock skew tolerance", () => {
    const obs = baseObservation();
    obs.monitor = [
      { server: "server2", line: vipLine(T0 + 400, VIP1) },
      { server: "server1", line: vipLine(T0 + 420, VIP1, true) },
    ];
    expect(measure(obs).doubleOwnership).toEqual([]);
  });
});

describe("verdict", () => {
  it("passes a clean stop drill with every check stated", () => {
    const v = judge(stopScenario());
    expect(v.pass).toBe(true);
    expect(v.checks.map((c) => [c.name, c.status])).toEqual([
      ["takeover", "pass"],
      ["single owner throughout", "pass"],
      ["one owner at the end", "pass"],
      ["dhcp follows its VIP", "pass"],
      ["install clients finished", "pass"],
      ["failback", "pass"],
    ]);
    expect(v.checks[0]?.detail).toBe(
      "192.168.0.253 on server2 after 0.420 s, 0.120 s after server1 released it (limit 2.000 s without an owner)",
    );
  });

  it("judges a graceful stop from the release: waiting for TFTP transfers first is no outage", () => {
    // server1 serves until it drops the VIP at 2.5 s (its transfers done); server2 has it 0.12 s later.
    const drained = (mode: "stop" | "crash") => {
      const obs = stopScenario();
      obs.setup.mode = mode;
      obs.monitor = [
        { server: "server1", line: vipLine(T0 + 2500, VIP1, true) },
        { server: "server2", line: vipLine(T0 + 2620, VIP1) },
      ];
      return obs;
    };
    expect(measure(drained("stop")).takeovers[0]).toMatchObject({
      releasedMs: 2500,
      onSurvivorMs: 2620,
    });
    const stop = check(drained("stop"), "takeover");
    expect(stop.status).toBe("pass");
    expect(stop.detail).toBe(
      "192.168.0.253 on server2 after 2.620 s, 0.120 s after server1 released it (limit 2.000 s without an owner)",
    );
    // Any other fault is judged from the fault: a crashed engine's VIP serves nothing meanwhile.
    const crash = check(drained("crash"), "takeover");
    expect(crash.status).toBe("fail");
    expect(crash.detail).toBe(
      "192.168.0.253 on server2 after 2.620 s (limit 2.000 s from the fault)",
    );
  });

  it("fails a takeover slower than ha.max_takeover and says what to tune", () => {
    const obs = stopScenario();
    obs.setup.maxTakeoverMs = 100;
    const c = check(obs, "takeover");
    expect(c.status).toBe("fail");
    expect(c.hint).toMatch(/keepalive/);
  });

  it("fails a crash drill on double ownership, with its duration and the fix", () => {
    const v = judge(crashScenario());
    expect(v.pass).toBe(false);
    const c = v.checks.find((x) => x.name === "single owner throughout")!;
    expect(c.status).toBe("fail");
    expect(c.detail).toBe("192.168.0.253 on server1 and server2 for 15.700 s");
    // The fix is ksorch's own guard (and fencing for a hung server), no longer a watchdog.
    expect(c.hint).toContain("heartbeat on server1 died or froze without releasing its VIP");
    expect(c.hint).toContain("`service ksorch-ha-guard status`");
    expect(c.hint).toContain("/var/log/ksorch-ha-guard.log");
    expect(c.hint).toContain("`ha.fence`");
    expect(c.hint).not.toMatch(/watchdog|STONITH/);
    expect(c.hint).toContain("ip addr del 192.168.0.253/24 dev eth0` on server1");
    const dhcp = check(crashScenario(), "dhcp follows its VIP");
    expect(dhcp.status).toBe("fail");
    expect(dhcp.detail).toBe(
      "after the takeover DHCP serves from server1, server2 (expected server2)",
    );
    expect(dhcp.hint).toMatch(/left its dhcpd running as it left its VIP/);
  });

  it("fails a leftover double owner at the end", () => {
    const c = check(crashScenario(false), "one owner at the end");
    expect(c.status).toBe("fail");
    expect(c.detail).toBe("192.168.0.253: server1, server2; 192.168.0.254: server2");
    expect(c.hint).toContain("check that it runs on server1 (`service ksorch-ha-guard status`");
    expect(c.hint).toContain("ip addr del 192.168.0.253/24 dev eth0` on server1");
  });

  it("fails a link drill nobody reacted to, naming the guard and ha.ping", () => {
    const obs = baseObservation("link");
    obs.monitor = [{ server: "server1", line: carrierLine(T0 + 2, false) }];
    const c = check(obs, "takeover");
    expect(c.status).toBe("fail");
    expect(c.detail).toBe(
      "192.168.0.253 was not taken over in the 20.000 s before the fault was undone",
    );
    expect(c.hint).toContain("ksorch's HA guard does");
    expect(c.hint).toContain("runs hb_standby");
    expect(c.hint).toContain("Set `ha.ping`");
    expect(c.hint).not.toMatch(/ipfail/);
    const ka = structuredClone(obs);
    ka.setup.engine = "keepalived";
    expect(check(ka, "takeover").hint).toContain("(`track_file`)");
    obs.undoAtMs = T0 + 5000;
    obs.services = stopScenario().services;
    const v = judge(obs);
    expect(v.checks.find((x) => x.name === "takeover")?.detail).toMatch(/in the 5.000 s before/);
    // With no takeover there is no DHCP move and no failback to judge: skipped, not failed twice.
    expect(v.checks.find((x) => x.name === "dhcp follows its VIP")?.status).toBe("skipped");
    expect(v.checks.find((x) => x.name === "failback")?.status).toBe("skipped");
    expect(measure(obs).failbackMs).toBeUndefined();
  });

  it("passes clients that got past a failure, and says how they did", () => {
    const obs = stopScenario();
    obs.clients = [
      { client: "client1", finished: true, checksumOk: true },
      {
        client: "client2",
        finished: true,
        checksumOk: true,
        recovered: ["rebooted once after its boot loader failed"],
      },
    ];
    const c = check(obs, "install clients finished");
    expect(c.status).toBe("pass");
    expect(c.detail).toBe(
      "2/2 finished with verified checksums; client2 rebooted once after its boot loader failed",
    );
  });

  it("fails when a client did not finish, and skips (not passes) checks with no data", () => {
    const obs = stopScenario();
    obs.clients = [
      { client: "client1", finished: true, checksumOk: true },
      { client: "client2", finished: false, checksumOk: false, error: "stalled at 512 bytes" },
    ];
    const c = check(obs, "install clients finished");
    expect(c.status).toBe("fail");
    expect(c.detail).toBe("1/2 finished with verified checksums; client2: stalled at 512 bytes");

    const bare = baseObservation();
    bare.monitor = [
      { server: "server2", line: vipLine(T0 + 500, VIP1) },
      { server: "server1", line: vipLine(T0 + 400, VIP1, true) },
    ];
    const v = judge(bare);
    expect(v.pass).toBe(true);
    expect(v.checks.filter((x) => x.status === "skipped").map((x) => x.name)).toEqual([
      "dhcp follows its VIP",
      "install clients finished",
      "failback",
    ]);
  });

  it("fails when the VIP does not come home although auto_failback is on", () => {
    const obs = stopScenario();
    obs.monitor = obs.monitor.slice(0, 2);
    const c = check(obs, "failback");
    expect(c.status).toBe("fail");
    expect(c.hint).toMatch(/auto_failback on/);
  });
});

describe("takeover window", () => {
  it("does not count a move after the undo as the takeover", () => {
    const obs = baseObservation("link");
    obs.undoAtMs = T0 + 5000;
    obs.monitor = [
      { server: "server1", line: carrierLine(T0 + 2, false) },
      { server: "server2", line: vipLine(T0 + 5200, VIP1) },
    ];
    expect(measure(obs).takeovers[0]?.onSurvivorMs).toBeUndefined();
  });
});

describe("the VIPs that must move", () => {
  it("are the target's at the start, even when the cut is seen a moment before the fault's stamp", () => {
    const obs = baseObservation("link");
    obs.monitor = [{ server: "server1", line: carrierLine(T0 - 3, false) }];
    const c = check(obs, "takeover");
    expect(c.detail).toMatch(/^192\.168\.0\.253 was not taken over/);
  });
});

describe("takeover as the HA log states it", () => {
  const entry = (atMs: number, resolutionMs: number, kind: "acquire" | "takeover-complete") => ({
    server: "server2",
    entry: { atMs, resolutionMs, program: "x", message: "m", event: { kind } },
  });

  it("counts heartbeat's whole seconds from the fault's second to completion", () => {
    const obs = stopScenario();
    obs.haLog = [entry(T0 - 300, 1000, "acquire"), entry(T0 + 1700, 1000, "takeover-complete")];
    // T0 is at .300 of its second; completion is logged in the second after the next.
    expect(measure(obs).haLogTakeoverS).toBe(2);
  });

  it("keeps the milliseconds of a log that has them", () => {
    const obs = stopScenario();
    obs.haLog = [entry(T0 + 412, 1, "acquire")];
    expect(measure(obs).haLogTakeoverS).toBe(0.412);
  });
});

/** A sample of one server's VIPs (LAN eth0 with carrier), as the 100 ms sampler records it. */
function sample(server: string, atMs: number, vips: string[]): Snapshot {
  return {
    server,
    atMs,
    addrs: vips.map((address) => ({
      ifname: "eth0",
      family: "inet" as const,
      address,
      prefixLength: 24,
      label: "eth0:0",
    })),
    links: [{ ifname: "eth0", carrier: true }],
  };
}

/**
 * A freeze of server1 from T0 to T0+5 s: server2 takes .253 at +2.5 s; server1 (its kernel
 * answering ARP) keeps it until `releaseMs` after the fault, seen by server1's sampler only.
 */
function freezeScenario(releaseMs: number, fencing = false): Observation {
  const obs = stopScenario();
  obs.setup.mode = "freeze";
  obs.setup.freezeMs = 5000;
  obs.setup.maxTakeoverMs = 3000;
  obs.setup.fencing = fencing;
  obs.undoAtMs = T0 + 5000;
  obs.monitor = [
    { server: "server2", line: vipLine(T0 + 2500, VIP1) },
    { server: "server2", line: vipLine(T0 + 17_000, VIP1, true) },
  ];
  obs.snapshots.push(sample("server1", T0 + releaseMs, []), sample("server1", T0 + 17_100, [VIP1]));
  obs.services = obs.services.filter((p) => p.server !== "server1");
  return obs;
}

describe("ownership from the samplers", () => {
  it("sees double ownership that a lost monitor event would hide", () => {
    const obs = baseObservation("crash");
    // No monitor line at all: only server2's samples show it took .253, then gave it back.
    obs.snapshots.push(
      sample("server2", T0 + 1300, [VIP1, VIP2]),
      sample("server2", T0 + 1400, [VIP1, VIP2]),
      sample("server2", T0 + 6000, [VIP2]),
    );
    const m = measure(obs);
    expect(m.takeovers[0]?.onSurvivorMs).toBe(1300);
    expect(m.doubleOwnership).toEqual([
      {
        vip: VIP1,
        servers: ["server1", "server2"],
        fromMs: T0 + 1300,
        toMs: T0 + 6000,
        durationMs: 4700,
      },
    ]);
  });

  it("ends an ownership at the sample that no longer shows it, if the monitor missed the delete", () => {
    const obs = stopScenario();
    // server1's delete at +300 was lost; its sampler shows the VIP gone at +350.
    obs.monitor = obs.monitor.filter((l) => !(l.server === "server1" && l.line.deleted));
    obs.snapshots.push(sample("server1", T0 + 350, []));
    expect(measure(obs).doubleOwnership).toEqual([]);
    obs.snapshots.pop();
    expect(measure(obs).doubleOwnership[0]?.fromMs).toBe(T0 + 420);
  });
});

describe("verdict of a freeze", () => {
  it("without ha.fence tolerates two owners from the fault to 1 s after the resume, and says fencing removes them", () => {
    const v = judge(freezeScenario(5800));
    const c = v.checks.find((x) => x.name === "single owner throughout")!;
    expect(c.status).toBe("pass");
    expect(c.detail).toMatch(/^192\.168\.0\.253 on server1 and server2 for 3\.300 s: tolerated/);
    expect(c.detail).toContain("ha.fence");
    expect(v.checks.filter((x) => x.status === "fail")).toEqual([]);
    expect(v.pass).toBe(true);
  });

  it("without ha.fence fails two owners that last past the resume's second", () => {
    const c = check(freezeScenario(6300), "single owner throughout");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("192.168.0.253: 0.300 s outside");
    expect(c.detail).toContain("ha.fence");
  });

  it("with ha.fence tolerates no double ownership at all", () => {
    const c = check(freezeScenario(5800, true), "single owner throughout");
    expect(c.status).toBe("fail");
    expect(c.detail).toMatch(/^192\.168\.0\.253 on server1 and server2 for 3\.300 s/);
  });

  it("with ha.fence passes when the frozen server was powered off before its VIP moved", () => {
    const obs = freezeScenario(17_100, true);
    // The survivor's fence agent powered server1 off at +2.4 s; it booted after the resume.
    obs.hostDown = [{ server: "server1", atMs: T0 + 2400 }];
    obs.snapshots = obs.snapshots.filter(
      (s) => !(s.server === "server1" && s.atMs === T0 + 17_100),
    );
    obs.snapshots.push(sample("server1", T0 + 9000, []), sample("server1", T0 + 17_100, [VIP1]));
    const v = judge(obs);
    expect(v.checks.find((x) => x.name === "single owner throughout")).toMatchObject({
      status: "pass",
      detail: "no VIP ever had two owners (fenced by ha.fence)",
    });
    expect(v.checks.find((x) => x.name === "takeover")?.detail).toMatch(/after 2\.500 s/);
  });

  it("tolerates nothing in the other modes: a cut crossover link with two owners fails", () => {
    const obs = freezeScenario(5800);
    obs.setup.mode = "crossover";
    obs.setup.linkFault = "drop";
    delete obs.setup.freezeMs;
    expect(check(obs, "single owner throughout").status).toBe("fail");
  });
});

describe("verdict of a crossover drill", () => {
  it("passes when no VIP moved: a dead HA link is no dead server", () => {
    const obs = baseObservation("crossover");
    obs.undoAtMs = T0 + 5000;
    const v = judge(obs);
    expect(v.checks.find((x) => x.name === "takeover")).toBeUndefined();
    expect(check(obs, "no takeover")).toEqual({
      name: "no takeover",
      status: "pass",
      detail: "192.168.0.253 stayed on server1: the peers still heard each other over the LAN",
    });
    expect(check(obs, "single owner throughout").status).toBe("pass");
    expect(v.checks.filter((x) => x.status === "fail")).toEqual([]);
  });

  it("fails a VIP that moved although its owner was alive, with each engine's fix", () => {
    const obs = baseObservation("crossover");
    obs.undoAtMs = T0 + 5000;
    obs.monitor = [{ server: "server2", line: vipLine(T0 + 800, VIP1) }];
    const v = judge(obs);
    expect(v.pass).toBe(false);
    const c = check(obs, "no takeover");
    expect(c.status).toBe("fail");
    expect(c.detail).toBe(
      "192.168.0.253 moved to server2 after 0.800 s although server1 was alive",
    );
    expect(c.hint).toContain("`ucast <LAN NIC> <peer's LAN address>` in ha.cf");
    // server1 kept it: two owners, failed on its own.
    expect(check(obs, "single owner throughout").status).toBe("fail");
    const ka = structuredClone(obs);
    ka.setup.engine = "keepalived";
    expect(check(ka, "no takeover").hint).toContain("`unicast_peer` the peers' LAN addresses");
  });

  it("still fails a target that held no VIP", () => {
    const obs = baseObservation("crossover");
    obs.setup.targetVips = [];
    obs.snapshots = obs.snapshots.map((s) => (s.server === "server1" ? { ...s, addrs: [] } : s));
    const c = judge(obs).checks[0];
    expect(c).toMatchObject({ name: "takeover", status: "fail" });
    expect(c?.detail).toBe("server1 held no VIP when the fault was injected");
  });
});

describe("ownership while the drill drops every packet of the target's LAN", () => {
  // server1 keeps .253 configured (its engine has not noticed yet) while server2 takes it.
  const dropScenario = (linkFault: "drop" | "down"): Observation => {
    const obs = crashScenario();
    obs.setup.mode = "link";
    obs.setup.linkFault = linkFault;
    return obs;
  };

  it("does not count a server whose LAN answers nothing as an owner until the undo", () => {
    const m = measure(dropScenario("drop"));
    expect(m.takeovers[0]?.onSurvivorMs).toBe(1300);
    // server1 still holds .253 after the undo at +5 s, server2 until +17 s: two owners then.
    const spans = m.doubleOwnership.map((d) => [d.fromMs - T0, (d.toMs ?? 0) - T0]);
    expect(spans).toEqual([[5000, 17_000]]);
  });

  it("leaves a plain cut to the carrier: an address on a link with carrier owns", () => {
    const spans = measure(dropScenario("down")).doubleOwnership.map((d) => d.fromMs - T0);
    expect(spans).toEqual([1300]);
  });
});

describe("DHCP while the drill drops every packet of the target's LAN", () => {
  it("does not count the target's dhcpd, which nobody hears", () => {
    const obs = crashScenario();
    obs.setup.mode = "link";
    obs.setup.linkFault = "drop";
    expect(measure(obs).dhcpAfterTakeover).toEqual(["server2"]);
    obs.setup.linkFault = "down";
    expect(measure(obs).dhcpAfterTakeover).toEqual(["server1", "server2"]);
  });
});
