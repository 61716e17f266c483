// Who can answer for each VIP, over time: replays every server's snapshots and `ip monitor`
// lines. A server owns a VIP while the address is configured on an interface with carrier and
// the host is up; an address left on a dead link or a powered-off host answers nobody.
import type { DoubleOwnership, Observation, Ownership } from "./types.js";
import type { MonitorLine } from "./ipaddr.js";

interface ServerState {
  up: boolean;
  /** VIP -> interface it is configured on. */
  vips: Map<string, string>;
  carrier: Map<string, boolean>;
  /** Interfaces the drill made drop every packet: nobody hears them, carrier or not. */
  deaf: Set<string>;
}

type Change = { atMs: number; server: string; apply: (s: ServerState) => void };

/** Every ownership interval of every VIP, in time order. */
export function ownershipIntervals(obs: Observation): Ownership[] {
  const vips = obs.setup.vips.map((v) => v.vip);
  const states = new Map<string, ServerState>();
  const open = new Map<string, Ownership>();
  const done: Ownership[] = [];
  for (const change of changes(obs, vips)) {
    const state = states.get(change.server) ?? {
      up: false,
      vips: new Map(),
      carrier: new Map(),
      deaf: new Set<string>(),
    };
    states.set(change.server, state);
    change.apply(state);
    for (const vip of vips) {
      const key = `${vip} ${change.server}`;
      const owns = owning(state, vip);
      const current = open.get(key);
      if (owns && !current) open.set(key, { vip, server: change.server, fromMs: change.atMs });
      if (!owns && current) {
        done.push({ ...current, toMs: change.atMs });
        open.delete(key);
      }
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.fromMs - b.fromMs);
}

function owning(state: ServerState, vip: string): boolean {
  const ifname = state.vips.get(vip);
  // An interface never reported is taken to have carrier: snapshots always list the links.
  return (
    state.up &&
    ifname !== undefined &&
    state.carrier.get(ifname) !== false &&
    !state.deaf.has(ifname)
  );
}

function changes(obs: Observation, vips: readonly string[]): Change[] {
  const all: Change[] = [
    ...obs.snapshots.map((snap) => ({
      atMs: snap.atMs,
      server: snap.server,
      apply: (s: ServerState) => {
        s.up = true;
        s.vips = new Map(
          snap.addrs
            .filter((a) => a.family === "inet" && vips.includes(a.address))
            .map((a) => [a.address, a.ifname]),
        );
        s.carrier = new Map(snap.links.map((l) => [l.ifname, l.carrier]));
      },
    })),
    ...obs.monitor.map(({ server, line }) => ({
      atMs: line.atMs,
      server,
      apply: (s: ServerState) => applyMonitor(s, line, vips),
    })),
    ...obs.hostDown.map(({ server, atMs }) => ({
      atMs,
      server,
      apply: (s: ServerState) => {
        s.up = false;
      },
    })),
    ...deafened(obs),
  ];
  return all.sort((a, b) => a.atMs - b.atMs);
}

/** `link --link-fault drop`: the server whose LAN answers nothing (IP and ARP) until the undo. */
export function deafServer(setup: Observation["setup"]): string | undefined {
  return setup.mode === "link" && setup.linkFault === "drop" ? setup.target : undefined;
}

function deafened(obs: Observation): Change[] {
  const target = deafServer(obs.setup);
  const ifname = target === undefined ? undefined : obs.setup.lan[target]?.interface;
  if (target === undefined || ifname === undefined) return [];
  const change = (atMs: number, deaf: boolean): Change => ({
    atMs,
    server: target,
    apply: (s) => void (deaf ? s.deaf.add(ifname) : s.deaf.delete(ifname)),
  });
  return [change(obs.faultAtMs, true), change(obs.undoAtMs ?? obs.endedAtMs, false)];
}

function applyMonitor(s: ServerState, line: MonitorLine, vips: readonly string[]): void {
  if (line.kind === "link") {
    s.carrier.set(line.entry.ifname, !line.deleted && line.entry.carrier);
    return;
  }
  const { address, family, ifname } = line.entry;
  if (family !== "inet" || !vips.includes(address)) return;
  if (line.deleted) s.vips.delete(address);
  else s.vips.set(address, ifname);
}

/**
 * Periods in which two servers owned the same VIP. Overlaps up to `toleranceMs` are ignored:
 * they are the skew between two servers' clocks, not a real conflict.
 */
export function doubleOwnership(
  intervals: readonly Ownership[],
  endedAtMs: number,
  toleranceMs: number,
): DoubleOwnership[] {
  const found: DoubleOwnership[] = [];
  intervals.forEach((a, i) => {
    for (const b of intervals.slice(i + 1)) {
      if (a.vip !== b.vip || a.server === b.server) continue;
      const fromMs = Math.max(a.fromMs, b.fromMs);
      const aEnd = a.toMs ?? endedAtMs;
      const bEnd = b.toMs ?? endedAtMs;
      const toMs = Math.min(aEnd, bEnd);
      if (toMs - fromMs <= toleranceMs) continue;
      const d: DoubleOwnership = {
        vip: a.vip,
        servers: [a.server, b.server],
        fromMs,
        durationMs: toMs - fromMs,
      };
      // Open when neither interval closed before the end of the drill.
      if (a.toMs !== undefined || b.toMs !== undefined) d.toMs = toMs;
      found.push(d);
    }
  });
  return found.sort((x, y) => x.fromMs - y.fromMs);
}

/** Owners of each VIP at `atMs`. */
export function ownersAt(
  intervals: readonly Ownership[],
  vips: readonly string[],
  atMs: number,
): { vip: string; servers: string[] }[] {
  return vips.map((vip) => ({
    vip,
    servers: intervals
      .filter((o) => o.vip === vip && o.fromMs <= atMs && (o.toMs === undefined || o.toMs > atMs))
      .map((o) => o.server),
  }));
}
