// Turning probes into the parts of the drill's observation: its setup (MACs, VIP homes, the
// DHCP home), snapshots of addresses and links, service probes, and each server's log clock.
import type { LogClock } from "../ha/logtime.js";
import type { Inventory } from "../inventory/types.js";
import type { ProbeOutcome } from "./health.js";
import {
  LINK_MODES,
  type DrillSetup,
  type FaultMode,
  type LinkFault,
  type ServiceProbe,
  type Snapshot,
} from "./types.js";

export function snapshotsOf(probes: ReadonlyMap<string, ProbeOutcome>): Snapshot[] {
  return [...probes].flatMap(([server, o]) =>
    o.ok ? [{ server, atMs: o.probe.atMs, addrs: o.probe.addrs, links: o.probe.links }] : [],
  );
}

export function clocksOf(probes: ReadonlyMap<string, ProbeOutcome>): Map<string, LogClock> {
  const clocks = new Map<string, LogClock>();
  for (const [server, o] of probes) {
    if (!o.ok) continue;
    const year = new Date(o.probe.atMs).getUTCFullYear();
    clocks.set(server, { year, utcOffsetMinutes: o.probe.utcOffsetMinutes });
  }
  return clocks;
}

export function servicesOf(
  inv: Inventory,
  probes: ReadonlyMap<string, ProbeOutcome>,
  phase: ServiceProbe["phase"],
): ServiceProbe[] {
  return inv.servers.flatMap((s) => {
    const o = probes.get(s.name);
    if (!o?.ok) return [];
    const lanUp = o.probe.links.find((l) => l.ifname === s.interface)?.carrier ?? false;
    return [{ server: s.name, atMs: o.probe.atMs, phase, ...o.probe.running, lanUp }];
  });
}

/** How the fault is made, beyond its mode. */
export interface FaultShape {
  /** `link` and `crossover`: default `down`. */
  linkFault?: LinkFault;
  /** `freeze`: how long the target stays stopped. */
  freezeMs?: number;
}

export function drillSetup(
  inv: Inventory,
  mode: FaultMode,
  target: string,
  targetVips: string[],
  probes: ReadonlyMap<string, ProbeOutcome>,
  shape: FaultShape = {},
): DrillSetup {
  const lan: DrillSetup["lan"] = {};
  for (const s of inv.servers) {
    const o = probes.get(s.name);
    const mac = o?.ok ? o.probe.links.find((l) => l.ifname === s.interface)?.mac : undefined;
    lan[s.name] = { interface: s.interface, mac: mac ?? "", address: s.address };
  }
  const setup: DrillSetup = {
    engine: inv.ha.engine,
    mode,
    target,
    targetVips,
    vips: inv.servers.map((s) => ({ vip: s.vip, home: s.name })),
    // haresources gives DHCP to the first server's group (src/render/heartbeat.ts).
    dhcpHome: inv.servers[0]?.name ?? "",
    dhcpServer: inv.dhcp.server,
    lan,
    clientIps: inv.clients.map((c) => c.ip),
    maxTakeoverMs: inv.ha.maxTakeoverMs,
    autoFailback: inv.ha.autoFailback,
    fencing: inv.ha.fence !== undefined,
  };
  if (LINK_MODES.includes(mode)) setup.linkFault = shape.linkFault ?? "down";
  if (mode === "freeze" && shape.freezeMs !== undefined) setup.freezeMs = shape.freezeMs;
  return setup;
}
