// The drill's hooks into the local lab (src/lab): which lab an inventory points at, its power
// and link faults, a wave of all its install clients, and the paper's 100 Mb/s NICs so a wave
// lasts long enough for the fault to land while the clients download.
import { realpath } from "node:fs/promises";
import type { Inventory } from "../inventory/types.js";
import { runInstallWave } from "../lab/client/wave.js";
import { throughput, type ClientReport } from "../lab/client/report.js";
import { cutLink, powerOff, powerOn, shapeLink, type Fault } from "../lab/faults.js";
import { labPaths } from "../lab/paths.js";
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
  if (!key) return undefined;
  const m = /\/labs\/([^/]+)\/ssh\/id_ed25519$/.exec(key);
  const name = m?.[1];
  if (!name) return undefined;
  const same = await Promise.all([
    realpath(key).catch(() => key),
    realpath(labPaths(name).key).catch(() => ""),
  ]);
  if (same[0] !== same[1]) return undefined;
  return (await readState(name)) ? name : undefined;
}

export function labHooks(lab: string, servers: readonly string[], rateMbit: number): LabHooks {
  const cuts = new Map<string, Fault>();
  return {
    name: lab,
    powerOff: async (server) => (await powerOff(lab, server)).at,
    powerOn: (server) => powerOn(lab, server),
    linkDown: async (server) => {
      const fault = await cutLink(lab, server, "eth0");
      cuts.set(server, fault);
      return fault.at;
    },
    linkUp: async (server) => {
      await cuts.get(server)?.undo();
      cuts.delete(server);
    },
    runWave: async () => {
      const shaped = await Promise.all(servers.map((s) => shapeLink(lab, s, "eth0", { rateMbit })));
      try {
        return waveOutcome(await runInstallWave(lab, []));
      } finally {
        for (const f of shaped) await f.undo();
      }
    },
  };
}

export function waveOutcome(reports: readonly ClientReport[]): WaveOutcome {
  const clients = reports.map((r): ClientOutcome => {
    const c: ClientOutcome = {
      client: r.client,
      finished: r.error === undefined,
      checksumOk: r.verdict === "pass" && r.checksumFailures.length === 0,
    };
    const error =
      r.error ??
      (r.checksumFailures.length
        ? `checksum mismatch: ${r.checksumFailures.join(", ")}`
        : undefined);
    if (error) c.error = error;
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
