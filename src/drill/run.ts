// The drill, step by step: refuse an unhealthy cluster, start the observers, start the install
// wave (lab), inject the fault while the clients download, wait for the takeover, hold the
// fault (freeze: for the freeze's own duration), undo it, boot any server a fence agent
// powered off, wait for the cluster to be healthy again (failback), collect what the servers
// recorded and judge it. Everything measured comes from the servers' own clocks. A server that
// does not answer (frozen, fenced) is polled with deadlines and counts as unknown meanwhile.
import { InputError, TaskError } from "../errors.js";
import { haOps } from "../ha/engine.js";
import type { HaOps } from "../ha/types.js";
import type { Inventory, Server } from "../inventory/types.js";
import { LOCK_WAIT_MS, takeLock } from "../transport/lock.js";
import { SshTransport } from "../transport/ssh.js";
import type { Transport } from "../transport/types.js";
import { closeAll, connectAll, connectServer } from "./connect.js";
import { boundedRun, within } from "./bounded.js";
import { checkMode, injectFault, preflightFault, undoFault, type FaultContext } from "./faults.js";
import { clusterHealth, type ClusterHealth } from "./health.js";
import type { LabHooks, WaveOutcome } from "./lab-hooks.js";
import {
  collectObservations,
  restartMonitor,
  startObservers,
  stopObservers,
  type ObservedServer,
} from "./observe.js";
import { probeTransports as probe } from "./status.js";
import { drillResult } from "./result.js";
import type {
  DrillResult,
  DrillSetup,
  FaultMode,
  LinkFault,
  Observation,
  ServiceProbe,
  Snapshot,
} from "./types.js";
import { settleDhcp, waitForDownloads, waitHealthy, waitTakeover } from "./phases.js";
import { planTopology } from "../topology/plan.js";
import type { Phase, ProfileName } from "../lab/client/profile.js";
import { sleep } from "../poll.js";
import { checkAborted, need, unlessAborted } from "./wait.js";
import { clocksOf, drillSetup, servicesOf, snapshotsOf } from "./setup.js";

export interface DrillOptions {
  mode: FaultMode;
  /** Default: the owner of the first server's VIP. */
  target?: string;
  lab?: LabHooks;
  /** How long the fault stays after the takeover, so clients download from the survivor. */
  holdMs: number;
  /** `link` and `crossover`: how the link breaks (default `down`). */
  linkFault?: LinkFault;
  /** `freeze`: how long the target stays stopped (default 5 s); it replaces the hold. */
  freezeMs?: number;
  /** Lab: the fault lands when the first client (of the target, but for DHCP) enters this
   *  phase; the clients start staggered. Default: once the target's clients download. */
  at?: Phase;
  /** Lab: how patient the clients are (default `real`). */
  profile?: ProfileName;
  /**
   * Aborted on SIGINT/SIGTERM: the drill stops waiting, undoes its fault if it is in place
   * and stops its observers, then rejects. A fault being injected, and the undo, finish first.
   */
  signal?: AbortSignal;
  progress: (line: string) => void;
}

export const DEFAULT_FREEZE_MS = 5000;

/** With --at, lab client n starts n x this many ms after the first: when the first one enters
 *  a phase, the others are before it, in it or just past it. */
const PHASE_STAGGER_MS = 700;

/** Closing a connection to a server that does not answer gives up after this long. */
const CLOSE_MS = 5000;

export interface DrillRun {
  obs: Observation;
  result: DrillResult;
}

export async function runDrill(inv: Inventory, opts: DrillOptions): Promise<DrillRun> {
  checkAborted(opts.signal);
  checkMode(opts.mode, opts.lab);
  if (opts.target !== undefined && !inv.servers.some((s) => s.name === opts.target)) {
    const names = inv.servers.map((s) => s.name).join(", ");
    throw new InputError(`--target ${opts.target} is not a server of the inventory`, [
      {
        file: inv.file,
        field: "--target",
        message: `unknown server ${opts.target}`,
        hint: `one of ${names}`,
      },
    ]);
  }
  const connections = await connectAll(inv);
  const transports = new Map<string, Transport>();
  try {
    for (const [name, c] of connections) {
      if (!c.ok) throw new TaskError(`${name} is unreachable, no drill: ${c.error}`);
      transports.set(name, c.transport);
    }
    // One run at a time per server: an apply or another drill holds it, or this drill does.
    await Promise.all(
      [...transports.values()].map((t) =>
        t instanceof SshTransport ? takeLock(t, LOCK_WAIT_MS, opts.progress) : undefined,
      ),
    );
    return await drill(inv, opts, transports);
  } finally {
    await Promise.all(
      [...transports.values()].map((t) =>
        within(
          t.close().catch(() => undefined),
          CLOSE_MS,
        ),
      ),
    );
    await within(
      closeAll(connections).catch(() => undefined),
      CLOSE_MS,
    );
  }
}

/** What every phase of one drill shares. */
interface Drill {
  inv: Inventory;
  opts: DrillOptions;
  ha: HaOps;
  transports: Map<string, Transport>;
  target: Server;
  /** VIPs the target held before the fault. */
  targetVips: string[];
  observed: ObservedServer[];
  ctx: FaultContext;
  takeoverTimeoutMs: number;
  /** `freeze`: how long the target stays stopped. */
  freezeMs: number;
  say: (line: string) => void;
}

async function drill(
  inv: Inventory,
  opts: DrillOptions,
  transports: Map<string, Transport>,
): Promise<DrillRun> {
  const d = await prepare(inv, opts, transports);
  // From here on an error must not leave observers running or the fault in place.
  let observing = true;
  let undone = true;
  try {
    const offsets = await startObservers(
      d.observed,
      transports,
      inv.servers.map((s) => s.vip),
      d.ha,
    );
    const first = await probe(inv, transports);
    const setup = drillSetup(inv, opts.mode, d.target.name, d.targetVips, first, {
      ...(opts.linkFault ? { linkFault: opts.linkFault } : {}),
      ...(opts.mode === "freeze" ? { freezeMs: d.freezeMs } : {}),
    });
    const snapshots = snapshotsOf(first);
    const wave = await unlessAborted(startWave(d), opts.signal);
    checkAborted(opts.signal);
    undone = false;
    const fault = await faultAndTakeover(d, setup);
    // A freeze is resumed when its time is up; other faults hold a while after the takeover.
    await unlessAborted(
      sleep(opts.mode === "freeze" ? fault.atMs + d.freezeMs - Date.now() : opts.holdMs),
      opts.signal,
    );
    const recovery = await recover(d, fault.atMs);
    undone = true;
    const waveOutcome = wave ? await unlessAborted(wave.done, opts.signal) : undefined;
    const recorded = await collectObservations(
      d.observed,
      transports,
      offsets,
      clocksOf(first),
      d.ha,
    );
    observing = false;
    for (const u of recorded.unread)
      d.say(`${u.server}: its records could not be read: ${u.error}`);
    const { sampled, unread: _unread, ...rest } = recorded;
    const obs: Observation = {
      setup,
      startedAtMs: Math.min(...snapshots.map((s) => s.atMs)),
      faultAtMs: fault.atMs,
      undoAtMs: recovery.undoAtMs,
      endedAtMs: Date.now(),
      snapshots: [...snapshots, ...recovery.snapshots, ...sampled].sort((a, b) => a.atMs - b.atMs),
      hostDown: recovery.hostDown,
      services: [...fault.services, ...recovery.services],
      transfers: waveOutcome?.transfers ?? [],
      ...rest,
      ...(waveOutcome ? { clients: waveOutcome.clients } : {}),
    };
    return { obs, result: drillResult(obs) };
  } finally {
    if (!undone) {
      d.say(`the drill was interrupted: undoing ${opts.mode} on ${d.target.name}`);
      await undoFault(d.ctx).catch((err: unknown) =>
        d.say(`undo failed (${String(err)}): restore ${d.target.name} by hand`),
      );
    }
    if (observing) await stopObservers(d.observed, transports);
  }
}

/** The health gate and the drill's cast: target, its VIPs, who observes what. */
async function prepare(
  inv: Inventory,
  opts: DrillOptions,
  transports: Map<string, Transport>,
): Promise<Drill> {
  const before = clusterHealth(inv, await probe(inv, transports), undefined);
  const blocking = before.problems.filter((p) => p.blocking);
  if (blocking.length > 0) {
    const problems = blocking.map((p) => p.text).join("; ");
    throw new TaskError(`the cluster is not healthy, no drill: ${problems}`);
  }
  const target = targetServer(inv, before, opts.target);
  const ha = haOps(inv.ha.engine);
  const takeoverTimeoutMs = Math.max(15_000, 5 * inv.ha.maxTakeoverMs);
  const observed = inv.servers.map((s) => ({
    name: s.name,
    lanInterface: s.interface,
    capture: s.name !== target.name,
  }));
  const ctx = faultContext(opts, target, ha, transports, takeoverTimeoutMs);
  await preflightFault(ctx);
  opts.progress(
    `observing ${inv.servers.length} servers (ip monitor and a 100 ms sampler everywhere, tcpdump on all but ${target.name})`,
  );
  return {
    inv,
    opts,
    ha,
    transports,
    target,
    targetVips: before.vips.filter((v) => v.owners[0] === target.name).map((v) => v.vip),
    observed,
    ctx,
    takeoverTimeoutMs,
    freezeMs: opts.freezeMs ?? DEFAULT_FREEZE_MS,
    say: opts.progress,
  };
}

/**
 * Lab only: starts every client and returns once the target's clients download (or, with
 * --at, once the first of them enters that phase). The wave is
 * wrapped in an object: an async function returning a bare promise would wait for it.
 */
async function startWave(d: Drill): Promise<{ done: Promise<WaveOutcome> } | undefined> {
  const lab = d.opts.lab;
  if (!lab) return undefined;
  const at = d.opts.at;
  const served = planTopology(d.inv).clients.filter((c) => c.server === d.target.name);
  // DHCP is served by one server for every client; the later phases by each client's own.
  const watched = new Set(
    at === "dhcp" ? d.inv.clients.map((c) => c.name) : served.map((c) => c.client),
  );
  let reached: () => void = () => undefined;
  const inPhase = new Promise<boolean>((r) => (reached = () => r(true)));
  d.say(
    `lab ${lab.name}: starting the install wave (${d.opts.profile ?? "real"} clients); the fault lands ` +
      (at ? `when the first client enters ${at}` : "once clients download"),
  );
  const wave = lab.runWave({
    profile: d.opts.profile ?? "real",
    staggerMs: at ? PHASE_STAGGER_MS : 0,
    onPhase: (client, phase) => {
      if (phase === at && watched.has(client)) reached();
    },
  });
  // Awaited later; an early rejection must not count as unhandled in the meantime.
  wave.catch(() => undefined);
  const port = d.inv.install.protocol === "ftp" ? 21 : 80;
  // A wave that ends (or fails) before its clients get there must not leave the drill waiting.
  const ready = await Promise.race([
    at
      ? inPhase
      : waitForDownloads(
          need(d.transports, d.target.name),
          port,
          served.map((c) => c.ip),
        ),
    wave.then(() => false),
  ]);
  if (!ready)
    d.say(
      at
        ? `no client of ${d.target.name} reached ${at}; injecting anyway`
        : "not all clients were seen downloading from the target; injecting anyway",
    );
  return { done: wave };
}

/** Injects the fault, waits for the takeover, and probes where DHCP ended up. */
async function faultAndTakeover(
  d: Drill,
  setup: DrillSetup,
): Promise<{ atMs: number; services: ServiceProbe[] }> {
  d.say(`fault: ${describeFault(setup)} on ${d.target.name} (holds ${d.targetVips.join(", ")})`);
  const injected = injectFault(d.ctx);
  const others = d.inv.servers.filter((s) => s.name !== d.target.name).map((s) => s.name);
  const freeze = d.opts.mode === "freeze";
  // A freeze ends on time whatever happened: the takeover has to happen during it.
  const waitMs = freeze
    ? Math.min(d.takeoverTimeoutMs, injected.sentAtMs + d.freezeMs - Date.now())
    : d.takeoverTimeoutMs;
  const taken = await waitTakeover(d.transports, others, d.targetVips, waitMs);
  const atMs = await injected.atMs;
  d.say(
    taken
      ? "takeover seen (the timings below come from the servers' own records)"
      : `no takeover within ${Math.round(waitMs)} ms${freeze ? " (the freeze's time)" : ""}`,
  );
  // A frozen target answers nothing: DHCP is probed on the others, within the freeze.
  const probed = freeze
    ? new Map([...d.transports].filter(([name]) => name !== d.target.name))
    : d.transports;
  const settleMs = freeze
    ? Math.max(0, Math.min(5000, atMs + d.freezeMs - Date.now() - 500))
    : 5000;
  const probes = await settleDhcp(d.inv, probed, setup, settleMs);
  return { atMs, services: servicesOf(d.inv, probes, "after-takeover") };
}

function describeFault(setup: DrillSetup): string {
  if (setup.linkFault) return `${setup.mode} (${setup.linkFault})`;
  if (setup.freezeMs !== undefined) return `${setup.mode} (${setup.freezeMs / 1000} s)`;
  return setup.mode;
}

/** Undoes the fault and waits for the cluster to be healthy again (failback). */
async function recover(
  d: Drill,
  faultAtMs: number,
): Promise<Pick<Observation, "snapshots" | "hostDown" | "services"> & { undoAtMs: number }> {
  const { inv, opts, target, transports } = d;
  d.say(`undo: ${opts.mode} on ${target.name}`);
  const undoAtMs = Date.now();
  const undone = await undoFault(d.ctx);
  const snapshots: Snapshot[] = [];
  const rebooted = new Set<string>(undone.rebooted ? [target.name] : []);
  if (opts.mode === "freeze" && !undone.rebooted) d.say(`${target.name} resumed`);
  if (opts.mode === "freeze" && undone.rebooted)
    d.say(`${target.name} had been powered off during the freeze (fenced): booted it again`);
  if (opts.mode === "freeze" && !undone.rebooted) await answersAgain(d);
  const hostDown: Observation["hostDown"] = [];
  if (opts.lab) {
    // Power-offs since the fault: the drill's own, and those of a fence agent (a frozen
    // target, or either side of a cut crossover link). A server still off is booted again.
    for (const s of inv.servers) {
      const off = await opts.lab.poweredOffSince(s.name, faultAtMs);
      if (!off) continue;
      hostDown.push({ server: s.name, atMs: off.atMs });
      if (!off.off) continue;
      d.say(
        `${s.name} was powered off at +${Math.round(off.atMs - faultAtMs)} ms (fenced): booting it`,
      );
      await opts.lab.powerOn(s.name);
      await reconnect(d, s);
      rebooted.add(s.name);
    }
  } else if (opts.mode === "poweroff") hostDown.push({ server: target.name, atMs: faultAtMs });
  for (const name of rebooted) {
    // The server's observers died with it: watch again, from what it holds after booting.
    await restartMonitor(need(transports, name));
    snapshots.push(...snapshotsOf(await probe(inv, new Map([[name, need(transports, name)]]))));
  }
  const healthy = await waitHealthy(inv, () => probe(inv, transports), 120_000);
  d.say(healthy ? "cluster healthy again" : "cluster still not healthy after 120 s");
  const last = await probe(inv, transports);
  snapshots.push(...snapshotsOf(last));
  return {
    undoAtMs,
    snapshots,
    hostDown,
    services: servicesOf(inv, last, "after-recovery"),
  };
}

/**
 * After a resume the target's connection should answer again (its sshd resumed too); if it
 * does not within a few seconds, a new one is opened.
 */
async function answersAgain(d: Drill): Promise<void> {
  const r = await boundedRun(need(d.transports, d.target.name), "true", 5000);
  if (r.ok) return;
  d.say(`${d.target.name} does not answer on its connection since the resume: reconnecting`);
  await d.ctx.reconnect();
}

/** A new connection to a server that was power-cycled. */
async function reconnect(d: Drill, s: Server): Promise<Transport> {
  const old = d.transports.get(s.name);
  if (old)
    await within(
      old.close().catch(() => undefined),
      CLOSE_MS,
    );
  const t = await connectServer(s);
  d.transports.set(s.name, t);
  return t;
}

function faultContext(
  opts: DrillOptions,
  target: Server,
  ha: HaOps,
  transports: Map<string, Transport>,
  takeoverTimeoutMs: number,
): FaultContext {
  return {
    mode: opts.mode,
    target,
    ha,
    ...(opts.lab ? { lab: opts.lab } : {}),
    transport: () => need(transports, target.name),
    reconnect: async () => {
      const old = transports.get(target.name);
      if (old)
        await within(
          old.close().catch(() => undefined),
          CLOSE_MS,
        );
      const t = await connectServer(target);
      transports.set(target.name, t);
      return t;
    },
    // Past the takeover wait, the DHCP settling and the hold: the timer is only a safety net.
    linkRestoreS: Math.ceil((takeoverTimeoutMs + opts.holdMs + 30_000) / 1000),
    ...(opts.linkFault ? { linkFault: opts.linkFault } : {}),
  };
}

function targetServer(inv: Inventory, h: ClusterHealth, wanted: string | undefined): Server {
  const name = wanted ?? h.vips[0]?.owners[0];
  const s = inv.servers.find((x) => x.name === name);
  if (!s) throw new TaskError("no server holds the first VIP");
  return s;
}
