// Faults for drills, each returning its undo: stop a service, kill a process, power a server
// off (and on again: same disk, fresh /run, services started by its boot), cut a link, shape a
// link's bandwidth and delay. Every action stays inside the lab's namespaces.
import { TaskError } from "../errors.js";
import { hostArgv } from "./exec.js";
import { isAlive, kill, waitGone } from "./procs.js";
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
  const until = Date.now() + 5000;
  while ((await run(argv)).failed) {
    if (Date.now() > until) throw new TaskError(`${host}: pids ${pids.join(" ")} survived SIGKILL`);
    await new Promise((res) => setTimeout(res, 20));
  }
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
  const rt = s.servers[host];
  if (rt) delete rt.initPid;
  await writeState(s);
  return { description: `${host}: power off`, at, undo: () => powerOn(lab, host) };
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
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const r = await run(["ip", "-n", netns, "-o", "link", "show", "dev", ifname]);
    if (/[<,]LOWER_UP[,>]/.test(r.stdout) && !/NO-CARRIER/.test(r.stdout)) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new TaskError(`${netns}: ${ifname} has no carrier 5 s after it was restored`);
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
