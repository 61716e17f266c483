// The drill's hooks into the local lab (src/lab): which lab an inventory points at, its power
// and link faults, a wave of all its install clients, and the paper's 100 Mb/s NICs so a wave
// lasts long enough for the fault to land while the clients download.
import { realpath } from "node:fs/promises";
import type { Inventory } from "../inventory/types.js";
import type { FailedSource } from "../lab/client/dracut.js";
import { runInstallWave } from "../lab/client/wave.js";
import { throughput, type ClientReport } from "../lab/client/report.js";
import {
  cutLink,
  dropLink,
  freezeHost,
  powerOff,
  powerOn,
  poweredOffSince,
  withShapedServers,
  type Fault,
  type Freeze,
} from "../lab/faults.js";
import { labNameOfKey, labPaths } from "../lab/paths.js";
import { readState } from "../lab/state.js";
import type { LabHooks, WaveOutcome } from "./lab-hooks.js";
import type { ClientOutcome, TransferSample } from "./types.js";

/** Buckets of the throughput chart: fine enough to see a sub-second takeover. */
const BUCKET_MS = 100;

/**
 * The lab an inventory belongs to: lab inventories use the lab's own SSH key
 * (/var/lib/ksorch/labs/NAME/ssh/id_ed25519), and the lab must be up.
 */
export async function labOf(inv: Inventory): Promise<string | undefined> {
  const key = inv.servers[0]?.ssh.key;
  const name = labNameOfKey(key);
  if (!key || !name) return undefined;
  const same = await Promise.all([
    realpath(key).catch(() => key),
    realpath(labPaths(name).key).catch(() => ""),
  ]);
  if (same[0] !== same[1]) return undefined;
  return (await readState(name)) ? name : undefined;
}

export function labHooks(lab: string, servers: readonly string[], rateMbit: number): LabHooks {
  const cuts = new Map<string, Fault>();
  const frozen = new Map<string, Freeze>();
  return {
    name: lab,
    powerOff: async (server) => (await powerOff(lab, server)).at,
    powerOn: (server) => powerOn(lab, server),
    linkDown: async (server, ifname, how) => {
      const fault =
        how === "drop" ? await dropLink(lab, server, ifname) : await cutLink(lab, server, ifname);
      cuts.set(`${server} ${ifname}`, fault);
      return fault.at;
    },
    linkUp: async (server, ifname) => {
      const key = `${server} ${ifname}`;
      await cuts.get(key)?.undo();
      cuts.delete(key);
    },
    freeze: async (server) => {
      const f = await freezeHost(lab, server);
      frozen.set(server, f);
      return f.at;
    },
    thaw: async (server) => {
      const f = frozen.get(server);
      if (!f) throw new Error(`${server} was not frozen by this drill`);
      const outcome = await f.undo();
      frozen.delete(server);
      return outcome;
    },
    poweredOffSince: (server, sinceMs) => poweredOffSince(lab, server, sinceMs),
    runWave: async (req) =>
      waveOutcome(
        await withShapedServers(lab, servers, rateMbit, () =>
          runInstallWave(lab, [], {
            profile: req.profile,
            staggerMs: req.staggerMs,
            onPhase: req.onPhase,
          }),
        ),
      ),
  };
}

/** The failures a client got past: PC reboots, stage2 from a later source. */
function recoveries(r: ClientReport): string[] {
  const out: string[] = [];
  if (r.reboots > 0)
    out.push(
      `rebooted ${r.reboots === 1 ? "once" : `${r.reboots} times`} after its boot loader failed`,
    );
  if (r.fallbacks) out.push("booted GRUB's fallback entry (the backup server's VIP)");
  const after = (failed: readonly FailedSource[]) =>
    `after ${failed.map((f) => f.source).join(", ")} failed`;
  if (r.kickstartUrl && r.kickstartFailed?.length)
    out.push(`took the kickstart from ${r.kickstartUrl} ${after(r.kickstartFailed)}`);
  if (r.stage2?.failed.length)
    out.push(`took stage2 from ${r.stage2.tree} ${after(r.stage2.failed)}`);
  return out;
}

export function waveOutcome(reports: readonly ClientReport[]): WaveOutcome {
  const clients = reports.map((r): ClientOutcome => {
    const c: ClientOutcome = {
      client: r.client,
      finished: r.error === undefined,
      checksumOk: r.verdict === "pass" && r.checksumFailures.length === 0,
      startedAt: r.startedAt,
      phases: r.phases,
    };
    const error =
      r.error ??
      (r.checksumFailures.length
        ? `checksum mismatch: ${r.checksumFailures.join(", ")}`
        : undefined);
    if (error) c.error = error;
    const recovered = recoveries(r);
    if (recovered.length > 0) c.recovered = recovered;
    return c;
  });
  const transfers = reports.flatMap((r) =>
    throughput(r.transfers, BUCKET_MS).flatMap((b) =>
      Object.entries(b.bytes).map(([server, bytes]): TransferSample => ({
        atMs: r.startedAt + b.tMs,
        client: r.client,
        server,
        bytes,
      })),
    ),
  );
  return { clients, transfers };
}
