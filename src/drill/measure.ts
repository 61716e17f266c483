// Measurements of one drill, computed from its observation alone (pure).
import { answeredFrom, gratuitousArpFor } from "./tcpdump.js";
import { deafServer, doubleOwnership, ownershipIntervals, ownersAt } from "./ownership.js";
import type { Measurements, Observation, Ownership, VipTakeover } from "./types.js";

/** Overlaps shorter than this are clock skew between two servers, not double ownership. */
export const SKEW_TOLERANCE_MS = 50;

export function measure(obs: Observation): Measurements {
  const intervals = ownershipIntervals(obs);
  const vips = obs.setup.vips.map((v) => v.vip);
  const m: Measurements = {
    takeovers: obs.setup.targetVips.map((vip) => takeover(obs, intervals, vip)),
    doubleOwnership: doubleOwnership(intervals, obs.endedAtMs, SKEW_TOLERANCE_MS),
    finalOwners: ownersAt(intervals, vips, obs.endedAtMs),
    bytesByServer: bytesByServer(obs),
  };
  const probes = obs.services.filter((p) => p.phase === "after-takeover");
  // A LAN the drill makes drop every packet serves no DHCP either, carrier or not.
  const deaf = deafServer(obs.setup);
  if (probes.length > 0)
    m.dhcpAfterTakeover = probes
      .filter((p) => p.dhcp && p.lanUp && p.server !== deaf)
      .map((p) => p.server);
  // Nothing moved, nothing to fail back.
  const moved = m.takeovers.some((t) => t.survivor !== undefined);
  const failback = moved ? failbackMs(obs, intervals) : undefined;
  if (failback !== undefined) m.failbackMs = failback;
  const wait = longestClientWait(obs);
  if (wait) m.longestClientWait = wait;
  const logged = haLogTakeoverS(obs, m.takeovers);
  if (logged !== undefined) m.haLogTakeoverS = logged;
  if (obs.sampling && obs.sampling.length > 0) m.sampling = obs.sampling;
  return m;
}

function takeover(obs: Observation, intervals: readonly Ownership[], vip: string): VipTakeover {
  const t: VipTakeover = { vip };
  // Only what happened while the fault held: after the undo the VIP's moves are the failback.
  const until = obs.undoAtMs ?? obs.endedAtMs;
  const taken = intervals.find(
    (o) =>
      o.vip === vip &&
      o.server !== obs.setup.target &&
      o.fromMs >= obs.faultAtMs &&
      o.fromMs < until,
  );
  const held = intervals.find(
    (o) =>
      o.vip === vip &&
      o.server === obs.setup.target &&
      o.fromMs <= obs.faultAtMs &&
      o.toMs !== undefined &&
      o.toMs > obs.faultAtMs &&
      o.toMs < until,
  );
  if (held?.toMs !== undefined) t.releasedMs = sinceFault(obs, held.toMs);
  if (!taken) return t;
  t.survivor = taken.server;
  t.onSurvivorMs = sinceFault(obs, taken.fromMs);
  const mac = obs.setup.lan[taken.server]?.mac;
  const after = obs.packets
    .map((p) => p.packet)
    .filter((p) => p.atMs >= obs.faultAtMs && p.srcMac === mac);
  const garp = after.find((p) => gratuitousArpFor(p) === vip);
  if (garp) t.firstGarpMs = sinceFault(obs, garp.atMs);
  // A service answering (TCP or UDP, so with a port), not an ICMP error about a lost transfer.
  const answer = after.find(
    (p) =>
      p.ipv4?.srcPort !== undefined &&
      answeredFrom(p) === vip &&
      obs.setup.clientIps.includes(p.ipv4.dst),
  );
  if (answer) t.firstAnswerMs = sinceFault(obs, answer.atMs);
  return t;
}

/** Milliseconds after the fault, to 0.1 ms: tcpdump and ip monitor stamp microseconds. */
function sinceFault(obs: Observation, atMs: number): number {
  return Math.round((atMs - obs.faultAtMs) * 10) / 10;
}

/**
 * Undo -> the first moment every VIP has exactly one owner, its home server. Only meaningful
 * with auto_failback; without it the VIPs stay where the takeover put them.
 */
function failbackMs(obs: Observation, intervals: readonly Ownership[]): number | undefined {
  const undo = obs.undoAtMs;
  if (undo === undefined || !obs.setup.autoFailback) return undefined;
  const vips = obs.setup.vips.map((v) => v.vip);
  const moments = [undo, ...intervals.flatMap((o) => [o.fromMs, o.toMs ?? undo])]
    .filter((t) => t >= undo && t <= obs.endedAtMs)
    .sort((a, b) => a - b);
  const home = new Map(obs.setup.vips.map((v) => [v.vip, v.home]));
  const settled = moments.find((t) =>
    ownersAt(intervals, vips, t).every(
      (o) => o.servers.length === 1 && o.servers[0] === home.get(o.vip),
    ),
  );
  return settled === undefined ? undefined : settled - undo;
}

/**
 * Takeover as a person reading the survivor's HA log would state it: from the fault to the
 * line that says the resources are acquired, at the log's own resolution (heartbeat: whole
 * seconds, as in the paper; keepalived's notify log: milliseconds).
 */
function haLogTakeoverS(obs: Observation, takeovers: readonly VipTakeover[]): number | undefined {
  const survivors = new Set(takeovers.flatMap((t) => t.survivor ?? []));
  const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step;
  const after = obs.haLog.filter(
    ({ server, entry }) =>
      survivors.has(server) &&
      entry.atMs >= floorTo(obs.faultAtMs, entry.resolutionMs) &&
      (obs.undoAtMs === undefined || entry.atMs < obs.undoAtMs),
  );
  // Completion when the engine logs it (heartbeat's mach_down), else the start of acquisition.
  const done =
    after.find((l) => l.entry.event?.kind === "takeover-complete") ??
    after.find((l) => l.entry.event?.kind === "acquire");
  if (!done) return undefined;
  const fault = floorTo(obs.faultAtMs, done.entry.resolutionMs);
  return (done.entry.atMs - fault) / 1000;
}

function bytesByServer(obs: Observation): Measurements["bytesByServer"] {
  const servers = Object.keys(obs.setup.lan);
  return servers.map((server) => {
    const mine = obs.transfers.filter((t) => t.server === server);
    const sum = (before: boolean): number =>
      mine.filter((t) => t.atMs < obs.faultAtMs === before).reduce((n, t) => n + t.bytes, 0);
    return { server, beforeFault: sum(true), afterFault: sum(false) };
  });
}

/**
 * Per client, the longest gap between samples with data, from the fault to its last sample.
 * The lab spreads a transfer's bytes over its duration, so a stall inside one transfer is
 * smoothed over; stalls between transfers (a client reconnecting) show in full.
 */
function longestClientWait(obs: Observation): Measurements["longestClientWait"] {
  let worst: Measurements["longestClientWait"];
  const clients = new Set(obs.transfers.map((t) => t.client));
  for (const client of clients) {
    const times = obs.transfers
      .filter((t) => t.client === client && t.bytes > 0)
      .map((t) => t.atMs)
      .sort((a, b) => a - b);
    let last = times.filter((t) => t < obs.faultAtMs).at(-1);
    for (const t of times.filter((x) => x >= obs.faultAtMs)) {
      const from = last ?? obs.faultAtMs;
      if (!worst || t - from > worst.durationMs) {
        worst = { client, fromMs: sinceFault(obs, from), durationMs: Math.round(t - from) };
      }
      last = t;
    }
  }
  return worst;
}
