// `ksorch status` and the drill's health gate: one probe command per server, in parallel.
import { haOps } from "../ha/engine.js";
import { serverLayout } from "../inventory/layout.js";
import type { Inventory, Server } from "../inventory/types.js";
import type { Transport } from "../transport/types.js";
import { clusterHealth, type ClusterHealth, type ProbeOutcome } from "./health.js";
import type { Connection } from "./connect.js";
import { boundedRun } from "./bounded.js";
import { localManifest } from "./manifest.js";
import { parseProbe, probeCommand, type TreeProbe } from "./probe.js";
import { planTopology } from "../topology/plan.js";

/** The tree on a server, minus the kickstart files apply renders into it. */
export function treeProbe(inv: Inventory, s: Server): TreeProbe {
  const kickstarts = planTopology(inv).servers.map((p) => p.kickstartFile);
  return {
    dir: `${serverLayout(inv, s).ftpRoot}/${inv.install.path}`,
    exclude: [...new Set(kickstarts)],
  };
}

/** A server that does not answer within this is reported unreachable by `ksorch status`. */
const STATUS_PROBE_MS = 20_000;

/**
 * The drill's polls give up on a server sooner: a frozen one answers nothing, and the drill
 * must go on (and count it as unknown) rather than wait for it.
 */
export const DRILL_PROBE_MS = 3000;

export async function probeServers(
  inv: Inventory,
  connections: ReadonlyMap<string, Connection>,
  withTree = true,
  timeoutMs = STATUS_PROBE_MS,
): Promise<Map<string, ProbeOutcome>> {
  const ha = haOps(inv.ha.engine);
  const outcomes = await Promise.all(
    inv.servers.map(async (s): Promise<ProbeOutcome> => {
      const c = connections.get(s.name);
      if (!c?.ok) return { ok: false, error: c?.error ?? "not connected" };
      const command = probeCommand(ha.runningProbe, withTree ? treeProbe(inv, s) : undefined);
      const b = await boundedRun(c.transport, command, timeoutMs);
      if (!b.ok) return { ok: false, error: b.error };
      const r = b.result;
      if (r.exitCode !== 0)
        return { ok: false, error: `probe exited ${r.exitCode}: ${r.stderr.trim()}` };
      return { ok: true, probe: parseProbe(r.stdout) };
    }),
  );
  return new Map(inv.servers.map((s, i) => [s.name, outcomes[i] as ProbeOutcome]));
}

export async function checkHealth(
  inv: Inventory,
  connections: ReadonlyMap<string, Connection>,
): Promise<ClusterHealth> {
  const [probes, local] = await Promise.all([
    probeServers(inv, connections),
    localManifest(inv.install.source),
  ]);
  return clusterHealth(inv, probes, local);
}

/**
 * Probes over already open connections, without the tree manifest: the drill polls with it.
 * A server that does not answer within `timeoutMs` is an unreachable outcome, not a wait.
 */
export async function probeTransports(
  inv: Inventory,
  transports: ReadonlyMap<string, Transport>,
  timeoutMs = DRILL_PROBE_MS,
): Promise<Map<string, ProbeOutcome>> {
  const connections = new Map(
    [...transports].map(([n, t]) => [n, { ok: true as const, transport: t }]),
  );
  return probeServers(inv, connections, false, timeoutMs);
}
