// Faults for drills, each returning its undo: stop a service, kill a process, power a server
// off (and on again: same disk, fresh /run, services started by its boot), cut a link, drop
// every packet on a link that stays up, freeze every process of a server, shape a link's
// bandwidth and delay. Every action stays inside the lab's namespaces.
import { readFile, readlink } from "node:fs/promises";
import { TaskError } from "../errors.js";
import { sleep, waitFor } from "../poll.js";
import { hostArgv } from "./exec.js";
import { isAlive, kill, pids, waitGone } from "./procs.js";
import { run, runOk } from "./run.js";
import { startServer } from "./server.js";
import { publishSsh } from "./ssh.js";
import { readState, writeState, type LabState } from "./state.js";
import type { LabServer } from "./topology.js";

export { execInHost } from "./exec.js";

export interface Fault {
  /** What was done, for logs and reports. */
  description: string;
  /** Epoch ms at which the fault took effect. */
  at: number;
  /** Puts things back as they were before the fault. */
  undo: () => Promise<void>;
}

async function state(lab: string): Promise<LabState> {
  const s = await readState(lab);
  if (!s) throw new TaskError(`lab ${lab} is not up`);
  return s;
}

function server(s: LabState, host: string): LabServer {
  const found = s.plan.servers.find((x) => x.name === host);
  if (!found) throw new TaskError(`lab ${s.plan.name} has no server ${host}`);
  return found;
}

async function inHostOk(lab: string, host: string, argv: string[]): Promise<string> {
  return (await runOk(await hostArgv(lab, host, argv))).stdout;
}

/** `service NAME stop` in the host; undo: `service NAME start`. */
export async function stopService(lab: string, host: string, service: string): Promise<Fault> {
  await inHostOk(lab, host, ["service", service, "stop"]);
  return {
    description: `${host}: service ${service} stop`,
    at: Date.now(),
    undo: async () => void (await inHostOk(lab, host, ["service", service, "start"])),
  };
}

export interface KillOptions {
  /** Exact process name as `pgrep -x` matches it, e.g. `heartbeat`. */
  process: string;
  signal?: NodeJS.Signals;
  /** The service the undo starts again. */
  service: string;
}

/** Signals every process of that name in the host (its own pid namespace only). */
export async function killProcess(lab: string, host: string, o: KillOptions): Promise<Fault> {
  const signal = o.signal ?? "SIGKILL";
  const r = await run(await hostArgv(lab, host, ["pgrep", "-x", o.process]));
  const pids = r.stdout.split("\n").filter((l) => /^\d+$/.test(l));
  if (pids.length === 0) throw new TaskError(`${host}: no process named ${o.process}`);
  await inHostOk(lab, host, ["kill", "-s", signal.replace(/^SIG/, ""), ...pids]);
  if (signal === "SIGKILL") await waitExited(lab, host, pids);
  return {
    description: `${host}: kill -${signal.replace(/^SIG/, "")} ${o.process} (pids ${pids.join(" ")} in the host)`,
    at: Date.now(),
    undo: async () => void (await inHostOk(lab, host, ["service", o.service, "start"])),
  };
}

// Exit 0 once none of the PIDs is alive (a zombie waiting for the host's init counts as gone).
const ALL_EXITED = String.raw`
for p; do
  [ -d /proc/$p ] && ! grep -q '^State:[[:space:]]*Z' /proc/$p/status 2>/dev/null && exit 1
done
exit 0
`;

/** Waits (at most 5 s) until the processes `pids` of the host have exited. */
async function waitExited(lab: string, host: string, pids: string[]): Promise<void> {
  const argv = await hostArgv(lab, host, ["sh", "-c", ALL_EXITED, "exited", ...pids]);
  await waitFor(
    async () => !(await run(argv)).failed,
    5000,
    `${host}: pids ${pids.join(" ")} survived SIGKILL`,
    20,
  );
}

/** Pulls the plug: kills the host's init (all its processes die at once) and takes its NICs
 *  down without addresses, so nothing answers for it, a VIP it held included. */
export async function powerOff(lab: string, host: string): Promise<Fault> {
  const s = await state(lab);
  const srv = server(s, host);
  const initPid = s.servers[host]?.initPid;
  if (initPid === undefined || !(await isAlive(initPid)))
    throw new TaskError(`${host} of lab ${lab} is already off`);
  kill(initPid);
  const at = Date.now();
  if ((await waitGone([initPid])).length > 0)
    throw new TaskError(`${host}: init ${initPid} survived SIGKILL`);
  await runOk(["ip", "-n", srv.netns, "-batch", "-"], {
    input:
      nics(s)
        .flatMap((n) => [`addr flush dev ${n}`, `link set ${n} down`])
        .join("\n") + "\n",
  });
  const rt = (s.servers[host] ??= {});
  delete rt.initPid;
  rt.offAtMs = at;
  await writeState(s);
  return { description: `${host}: power off`, at, undo: () => powerOn(lab, host) };
}

/** Whether the host is powered off now: no init recorded, or its init is gone. */
export async function isPoweredOff(lab: string, host: string): Promise<boolean> {
  const s = await state(lab);
  server(s, host);
  const initPid = s.servers[host]?.initPid;
  return initPid === undefined || !(await isAlive(initPid));
}

/**
 * When `host` was last powered off, if that was at `sinceMs` or later (a fence agent may do
 * it during a drill), and whether it is still off.
 */
export async function poweredOffSince(
  lab: string,
  host: string,
  sinceMs: number,
): Promise<{ atMs: number; off: boolean } | undefined> {
  const at = (await state(lab)).servers[host]?.offAtMs;
  if (at === undefined || at < sinceMs) return undefined;
  return { atMs: at, off: await isPoweredOff(lab, host) };
}

const nics = (s: LabState): string[] => (s.plan.servers.length > 1 ? ["eth0", "eth1"] : ["eth0"]);

/** Boots a powered-off server again on the same disk; returns when its sshd answers. */
export async function powerOn(lab: string, host: string): Promise<void> {
  const s = await state(lab);
  const srv = server(s, host);
  const rt = (s.servers[host] ??= {});
  if (rt.initPid !== undefined && (await isAlive(rt.initPid)))
    throw new TaskError(`${host} of lab ${lab} is already on`);
  await runOk(["ip", "-n", srv.netns, "-batch", "-"], {
    input:
      nics(s)
        .map((n) => `link set ${n} up`)
        .join("\n") + "\n",
  });
  const started = await startServer(s.plan, srv);
  rt.initPid = started.runtime.initPid;
  const socatsAlive =
    rt.innerSocatPid !== undefined &&
    rt.outerSocatPid !== undefined &&
    (await isAlive(rt.innerSocatPid)) &&
    (await isAlive(rt.outerSocatPid));
  if (!socatsAlive) {
    const pub = await publishSsh(lab, host, srv.netns, srv.sshPort);
    rt.innerSocatPid = pub.innerPid;
    rt.outerSocatPid = pub.outerPid;
  }
  await writeState(s);
}

/** Where a host's NIC is plugged in: [namespace, interface] of the end to cut or shape. */
function linkEnd(s: LabState, host: string, nic: string): { netns: string; ifname: string } {
  const srv = s.plan.servers.find((x) => x.name === host);
  const lanHost = srv ?? s.plan.clients.find((x) => x.name === host);
  if (nic === "eth0" && lanHost) return { netns: s.plan.switchNs, ifname: lanHost.switchPort };
  if (nic === "eth1" && srv?.hbSwitchPort)
    return { netns: s.plan.switchNs, ifname: srv.hbSwitchPort };
  // Two servers: eth1 is a crossover cable; taking one end down drops the carrier on both.
  if (nic === "eth1" && srv && s.plan.servers.length === 2)
    return { netns: srv.netns, ifname: "eth1" };
  throw new TaskError(`lab ${s.plan.name}: ${host} has no link ${nic}`);
}

/** Unplugs the cable of `nic` (eth0: the LAN, eth1: the heartbeat link) at its far end. */
export async function cutLink(lab: string, host: string, nic: string): Promise<Fault> {
  const end = linkEnd(await state(lab), host, nic);
  await runOk(["ip", "-n", end.netns, "link", "set", end.ifname, "down"]);
  return {
    description: `${host}: ${nic} link cut`,
    at: Date.now(),
    undo: async () => {
      await runOk(["ip", "-n", end.netns, "link", "set", end.ifname, "up"]);
      await waitCarrier(end.netns, end.ifname);
    },
  };
}

/** Waits (at most 5 s) until the link reports a carrier: the kernel signals carrier changes
 *  with a delay of up to a second, and a restore should return once the cable works. */
async function waitCarrier(netns: string, ifname: string): Promise<void> {
  await waitFor(
    async () => {
      const r = await run(["ip", "-n", netns, "-o", "link", "show", "dev", ifname]);
      return /[<,]LOWER_UP[,>]/.test(r.stdout) && !/NO-CARRIER/.test(r.stdout);
    },
    5000,
    `${netns}: ${ifname} has no carrier 5 s after it was restored`,
    20,
  );
}

/**
 * Arguments of the two iptables rules that drop every IP packet in and out of `nic`, marked
 * with a comment so that only they are ever deleted (the drill uses them on real servers too).
 */
export function dropRuleArgs(nic: string): string[][] {
  const mark = ["-m", "comment", "--comment", "ksorch-drill", "-j", "DROP"];
  return [
    ["INPUT", "-i", nic, ...mark],
    ["OUTPUT", "-o", nic, ...mark],
  ];
}

/** The same for ARP, which iptables never sees (arptables has no comment match). */
export function arpDropRuleArgs(nic: string): string[][] {
  return [
    ["INPUT", "-i", nic, "-j", "DROP"],
    ["OUTPUT", "-o", nic, "-j", "DROP"],
  ];
}

/**
 * A bad switch port: `nic` of the server keeps its carrier, but every packet in or out of it
 * is dropped, IP by iptables rules and ARP by arptables rules in the server's network
 * namespace (the root namespace's binaries, the namespace's own netfilter tables). The undo
 * deletes exactly those rules.
 */
export async function dropLink(lab: string, host: string, nic: string): Promise<Fault> {
  const s = await state(lab);
  const srv = server(s, host);
  if (!nics(s).includes(nic)) throw new TaskError(`lab ${lab}: ${host} has no link ${nic}`);
  const ipt = (op: "-I" | "-D", [tool, ...rule]: string[]): string[] => [
    "nsenter",
    `--net=/run/netns/${srv.netns}`,
    ...(tool === "iptables" ? ["iptables", "-w"] : [tool ?? "arptables"]),
    op,
    ...rule,
  ];
  const rules = [
    ...dropRuleArgs(nic).map((r) => ["iptables", ...r]),
    ...arpDropRuleArgs(nic).map((r) => ["arptables", ...r]),
  ];
  const inserted: string[][] = [];
  const undo = async (): Promise<void> => {
    const failed: string[] = [];
    for (const rule of inserted.splice(0).reverse()) {
      const r = await run(ipt("-D", rule));
      if (r.failed) failed.push(`${rule.join(" ")}: ${r.stderr.trim()}`);
    }
    if (failed.length > 0) throw new TaskError(`${host}: cannot delete ${failed.join("; ")}`);
  };
  for (const rule of rules) {
    const r = await run(ipt("-I", rule));
    if (r.failed) {
      await undo().catch(() => undefined);
      throw new TaskError(`${host}: ${rule.join(" ")} failed: ${r.stderr.trim()}`);
    }
    inserted.push(rule);
  }
  return { description: `${host}: every packet on ${nic} dropped`, at: Date.now(), undo };
}

/** The pid namespace of a process, as `readlink /proc/PID/ns/pid` shows it. */
async function pidNs(pid: number): Promise<string | undefined> {
  return readlink(`/proc/${pid}/ns/pid`).catch(() => undefined);
}

/** Every process in the pid namespace `ns` (the host's own processes, its init included). */
async function pidsInPidNs(ns: string): Promise<number[]> {
  const all = await pids();
  const found = await Promise.all(all.map(async (p) => ((await pidNs(p)) === ns ? p : 0)));
  return found.filter((p) => p !== 0);
}

/** The one-letter state of a process (`T`: stopped), "" when it is gone. */
async function procState(pid: number): Promise<string> {
  const st = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return /^\d+ \(.*\) (\S) /s.exec(st)?.[1] ?? "";
}

/** The process is stopped or has exited. */
async function isStopped(pid: number): Promise<boolean> {
  return ["", "T", "t", "Z", "X"].includes(await procState(pid));
}

export interface Freeze {
  description: string;
  /** Epoch ms at which every process of the host had been sent SIGSTOP. */
  at: number;
  /** Processes stopped. */
  stopped: number;
  /**
   * Resumes the host (SIGCONT to every process of its pid namespace), or, when the host was
   * powered off meanwhile (a peer fenced it), powers it on again.
   */
  undo: () => Promise<"resumed" | "powered-on">;
}

/** Every process of a pid namespace stopped; `resume` sends them SIGCONT. */
export interface FrozenNs {
  /** Epoch ms at which every process had been sent SIGSTOP once. */
  at: number;
  stopped: number;
  resume: () => Promise<void>;
}

/**
 * SIGSTOP to every process of the pid namespace of `initPid` (all PIDs whose
 * /proc/PID/ns/pid is the init's), repeated until no unstopped process is left (a process may
 * fork while the first pass runs).
 */
export async function freezePidNs(initPid: number): Promise<FrozenNs> {
  const ns = await pidNs(initPid);
  if (ns === undefined) throw new TaskError(`process ${initPid} is gone: nothing to freeze`);
  const stopped = new Set<number>();
  let at: number | undefined;
  for (let pass = 0; pass < 50; pass++) {
    const fresh: number[] = [];
    for (const p of await pidsInPidNs(ns))
      if (!stopped.has(p) || !(await isStopped(p))) fresh.push(p);
    if (fresh.length === 0) break;
    for (const p of fresh) {
      kill(p, "SIGSTOP");
      stopped.add(p);
    }
    at ??= Date.now();
    // SIGSTOP takes effect asynchronously: let it land before checking again.
    await sleep(5);
  }
  const left = [];
  for (const p of await pidsInPidNs(ns)) if (!(await isStopped(p))) left.push(p);
  if (left.length > 0) {
    await resumeNs(ns);
    throw new TaskError(`processes ${left.join(" ")} could not be stopped`);
  }
  return { at: at ?? Date.now(), stopped: stopped.size, resume: () => resumeNs(ns) };
}

/**
 * A hung server: every process of the host stopped (freezePidNs on its init). The kernel
 * keeps the host's addresses and answers ARP and pings for them.
 */
export async function freezeHost(lab: string, host: string): Promise<Freeze> {
  const s = await state(lab);
  server(s, host);
  const initPid = s.servers[host]?.initPid;
  if (initPid === undefined || !(await isAlive(initPid)))
    throw new TaskError(`${host} of lab ${lab} is powered off: nothing to freeze`);
  const frozen = await freezePidNs(initPid).catch((err: unknown) => {
    throw new TaskError(`${host}: ${err instanceof Error ? err.message : String(err)}`);
  });
  return {
    description: `${host}: ${frozen.stopped} processes stopped`,
    at: frozen.at,
    stopped: frozen.stopped,
    undo: async () => {
      if (await isPoweredOff(lab, host)) {
        await powerOn(lab, host);
        return "powered-on";
      }
      await frozen.resume();
      return "resumed";
    },
  };
}

/** SIGCONT to every process of the pid namespace, until none is left stopped. */
async function resumeNs(ns: string): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const members = await pidsInPidNs(ns);
    for (const p of members) kill(p, "SIGCONT");
    await sleep(5);
    let still = 0;
    for (const p of await pidsInPidNs(ns)) if ((await procState(p)) === "T") still += 1;
    if (still === 0) return;
  }
  throw new TaskError(`processes of pid namespace ${ns} stay stopped after SIGCONT`);
}

export interface Shape {
  /** e.g. 100 for the paper's 100 Mb/s network. */
  rateMbit: number;
  /** One-way delay added in each direction; needs netem in the kernel. */
  delayMs?: number;
}

/** tc arguments: a token bucket for a rate alone (tbf is built into most kernels), netem
 *  when a delay is asked for too. */
export function shapeQdisc(shape: Shape): string[] {
  const rate = `${shape.rateMbit}mbit`;
  return shape.delayMs
    ? ["netem", "rate", rate, "delay", `${shape.delayMs}ms`]
    : ["tbf", "rate", rate, "burst", "64kb", "latency", "50ms"];
}

/** Shapes both directions of a host's link: the host's egress on its own NIC and the traffic
 *  towards it at the link's far end. */
export async function shapeLink(
  lab: string,
  host: string,
  nic: string,
  shape: Shape,
): Promise<Fault> {
  const s = await state(lab);
  const far = linkEnd(s, host, nic);
  const h = [...s.plan.servers, ...s.plan.clients].find((x) => x.name === host);
  if (!h) throw new TaskError(`lab ${lab} has no host ${host}`);
  const ends = [{ netns: h.netns, ifname: nic }, ...(far.netns === h.netns ? [] : [far])];
  const undo = async (): Promise<void> => {
    for (const e of ends) await run(["tc", "-n", e.netns, "qdisc", "del", "dev", e.ifname, "root"]);
  };
  for (const e of ends) {
    const argv = ["tc", "-n", e.netns, "qdisc", "replace", "dev", e.ifname, "root"];
    const r = await run([...argv, ...shapeQdisc(shape)]);
    if (r.failed) {
      await undo();
      const hint =
        /unknown/.test(r.stderr) && shape.delayMs
          ? " (no netem in this kernel: shape the rate only)"
          : "";
      throw new TaskError(`${host}: tc on ${e.ifname} failed: ${r.stderr.trim()}${hint}`);
    }
  }
  const delay = shape.delayMs ? `, +${shape.delayMs} ms` : "";
  return {
    description: `${host}: ${nic} shaped to ${shape.rateMbit} Mbit/s${delay}`,
    at: Date.now(),
    undo,
  };
}

/** Runs `fn` with every named server's LAN link (eth0) shaped to `rateMbit`, both directions,
 *  and removes the shaping afterwards, whatever `fn` does: a wave on the paper's 100 Mb/s NICs. */
export async function withShapedServers<T>(
  lab: string,
  servers: readonly string[],
  rateMbit: number,
  fn: () => Promise<T>,
): Promise<T> {
  const shaped = await Promise.all(servers.map((s) => shapeLink(lab, s, "eth0", { rateMbit })));
  try {
    return await fn();
  } finally {
    for (const f of shaped) await f.undo();
  }
}
