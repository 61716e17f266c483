// The drill, step by step: refuse an unhealthy cluster, start the observers, start the install
// wave (lab), inject the fault while the clients download, wait for the takeover, hold the
// fault, undo it, wait for the cluster to be healthy again (failback), collect what the
// servers recorded and judge it. Everything measured comes from the servers' own clocks.
import { InputError, TaskError } from "../errors.js";
import { haOps } from "../ha/engine.js";
import type { Inventory, Server } from "../inventory/types.js";
import type { Transport } from "../transport/types.js";
import { closeAll, connectAll, connectServer } from "./connect.js";
import { checkMode, injectFault, undoFault, type FaultContext } from "./faults.js";
import { clusterHealth, type ClusterHealth, type ProbeOutcome } from "./health.js";
import type { LabHooks, WaveOutcome } from "./lab-hooks.js";
import {
  collectObservations,
  restartMonitor,
  startObservers,
  type ObservedServer,
} from "./observe.js";
import { probeServers } from "./status.js";
import { drillResult } from "./result.js";
import type { DrillResult, DrillSetup, FaultMode, Observation } from "./types.js";
import { waitForDownloads, waitHealthy, waitTakeover } from "./phases.js";
import { planTopology } from "../topology/plan.js";
import { need, sleep } from "./wait.js";
import { clocksOf, drillSetup, servicesOf, snapshotsOf } from "./setup.js";

export interface DrillOptions {
  mode: FaultMode;
  /** Default: the owner of the first server's VIP. */
  target?: string;
  lab?: LabHooks;
  /** How long the fault stays after the takeover, so clients download from the survivor. */
  holdMs: number;
  progress: (line: string) => void;
}

export interface DrillRun {
  obs: Observation;
  result: DrillResult;
}

export async function runDrill(inv: Inventory, opts: DrillOptions): Promise<DrillRun> {
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
    return await drill(inv, opts, transports);
  } finally {
    await Promise.all([...transports.values()].map((t) => t.close().catch(() => undefined)));
    await closeAll(connections).catch(() => undefined);
  }
}

async function probe(
  inv: Inventory,
  transports: ReadonlyMap<string, Transport>,
): Promise<Map<string, ProbeOutcome>> {
  const connections = new Map(
    [...transports].map(([n, t]) => [n, { ok: true as const, transport: t }]),
  );
  return probeServers(inv, connections, false);
}

async function drill(
  inv: Inventory,
  opts: DrillOptions,
  transports: Map<string, Transport>,
): Promise<DrillRun> {
  const ha = haOps(inv.ha.engine);
  const say = opts.progress;
  const before = clusterHealth(inv, await probe(inv, transports), undefined);
  const blocking = before.problems.filter((p) => p.blocking);
  if (blocking.length > 0) {
    throw new TaskError(
      `the cluster is not healthy, no drill: ${blocking.map((p) => p.text).join("; ")}`,
    );
  }
  const target = targetServer(inv, before, opts.target);
  const targetVips = before.vips.filter((v) => v.owners[0] === target.name).map((v) => v.vip);
  const observed: ObservedServer[] = inv.servers.map((s) => ({
    name: s.name,
    lanInterface: s.interface,
    capture: s.name !== target.name,
  }));
  say(
    `observing ${inv.servers.length} servers (ip monitor everywhere, tcpdump on all but ${target.name})`,
  );
  const offsets = await startObservers(
    observed,
    transports,
    inv.servers.map((s) => s.vip),
    ha,
  );
  const first = await probe(inv, transports);
  const setup = drillSetup(inv, opts.mode, target.name, first);
  const snapshots = snapshotsOf(first);
  const clocks = clocksOf(first);
  const startedAtMs = Math.min(...snapshots.map((s) => s.atMs));

  let wave: Promise<WaveOutcome> | undefined;
  if (opts.lab) {
    say(`lab ${opts.lab.name}: starting the install wave; the fault lands once clients download`);
    wave = opts.lab.runWave();
    const port = inv.install.protocol === "ftp" ? 21 : 80;
    const served = planTopology(inv)
      .clients.filter((c) => c.server === target.name)
      .map((c) => c.ip);
    // A wave that ends (or fails) before its clients download must not leave the drill waiting.
    const downloading = await Promise.race([
      waitForDownloads(need(transports, target.name), port, served),
      wave.then(() => false),
    ]);
    if (!downloading)
      say("the clients were not all seen downloading from the target; injecting anyway");
  }

  const ctx: FaultContext = {
    mode: opts.mode,
    target,
    ha,
    ...(opts.lab ? { lab: opts.lab } : {}),
    transport: () => need(transports, target.name),
    reconnect: async () => {
      await transports
        .get(target.name)
        ?.close()
        .catch(() => undefined);
      const t = await connectServer(target);
      transports.set(target.name, t);
      return t;
    },
    linkRestoreS: Math.ceil((opts.holdMs + 60_000) / 1000),
  };
  say(`fault: ${opts.mode} on ${target.name} (holds ${targetVips.join(", ")})`);
  const injected = injectFault(ctx);
  const takeoverTimeoutMs = Math.max(15_000, 5 * inv.ha.maxTakeoverMs);
  const others = inv.servers.filter((s) => s.name !== target.name).map((s) => s.name);
  const taken = await waitTakeover(transports, others, targetVips, takeoverTimeoutMs);
  const faultAtMs = await injected.atMs;
  say(
    taken
      ? "takeover seen (the timings below come from the servers' own records)"
      : `no takeover within ${takeoverTimeoutMs} ms`,
  );

  const afterTakeover = await settleDhcp(inv, transports, setup);
  const services = servicesOf(inv, afterTakeover, "after-takeover");
  await sleep(opts.holdMs);

  say(`undo: ${opts.mode} on ${target.name}`);
  const undoAtMs = Date.now();
  await undoFault(ctx);
  const hostDown = opts.mode === "poweroff" ? [{ server: target.name, atMs: faultAtMs }] : [];
  if (opts.mode === "poweroff") {
    await restartMonitor(need(transports, target.name));
    const rebooted = await probe(inv, new Map([[target.name, need(transports, target.name)]]));
    snapshots.push(...snapshotsOf(rebooted));
  }
  const healthy = await waitHealthy(inv, () => probe(inv, transports), 120_000);
  say(healthy ? "cluster healthy again" : "cluster still not healthy after 120 s");
  const last = await probe(inv, transports);
  snapshots.push(...snapshotsOf(last));
  services.push(...servicesOf(inv, last, "after-recovery"));

  const waveOutcome = wave ? await wave : undefined;
  const recorded = await collectObservations(observed, transports, offsets, clocks, ha);
  const obs: Observation = {
    setup,
    startedAtMs,
    faultAtMs,
    undoAtMs,
    endedAtMs: Date.now(),
    snapshots,
    hostDown,
    services,
    transfers: waveOutcome?.transfers ?? [],
    ...recorded,
    ...(waveOutcome ? { clients: waveOutcome.clients } : {}),
  };
  return { obs, result: drillResult(obs) };
}

function targetServer(inv: Inventory, h: ClusterHealth, wanted: string | undefined): Server {
  const name = wanted ?? h.vips[0]?.owners[0];
  const s = inv.servers.find((x) => x.name === name);
  if (!s) throw new TaskError("no server holds the first VIP");
  return s;
}

/**
 * Probes until DHCP serves from where it should after the takeover (at most 5 s; the engine
 * starts dhcpd after the VIP): a survivor when the target held it, else its home server. A
 * dhcpd left running elsewhere then shows in the same probe.
 */
async function settleDhcp(
  inv: Inventory,
  transports: ReadonlyMap<string, Transport>,
  setup: DrillSetup,
): Promise<Map<string, ProbeOutcome>> {
  const expected = (server: string): boolean =>
    setup.dhcpHome === setup.target ? server !== setup.target : server === setup.dhcpHome;
  const until = Date.now() + 5000;
  for (;;) {
    const probes = await probe(inv, transports);
    const serving = servicesOf(inv, probes, "after-takeover").filter((p) => p.dhcp && p.lanUp);
    if (serving.some((p) => expected(p.server)) || Date.now() > until) return probes;
    await sleep(200);
  }
}
