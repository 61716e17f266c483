// Starting the observers on every server before the fault, and reading what they recorded
// after it: `ip monitor` and the ownership sampler (addresses and links every ~100 ms, so a
// lost monitor event costs at most one sample) everywhere, tcpdump on every server but the
// target (the survivors, where the moved VIP shows up), and the part of the HA log written
// during the drill.
import type { LogClock } from "../ha/logtime.js";
import type { HaOps } from "../ha/types.js";
import type { Transport } from "../transport/types.js";
import { parseMonitorLine } from "./ipaddr.js";
import {
  captureReadyCommand,
  logOffsetCommand,
  prepareCommand,
  readLogCommand,
  readObserverCommand,
  startCaptureCommand,
  startMonitorCommand,
  startSamplerCommand,
  stopObserversCommand,
} from "./remote.js";
import { boundedRun } from "./bounded.js";
import { parseSamples, samplingStats } from "./sampler.js";
import { parseTcpdumpLine } from "./tcpdump.js";
import type { Observation } from "./types.js";
import { mustRun } from "./exec.js";
import { waitFor } from "../poll.js";
import { need } from "./wait.js";

export interface ObservedServer {
  name: string;
  lanInterface: string;
  /** Capture on this server (all but the target). */
  capture: boolean;
}

/** HA log size per server when observation started. */
export type LogOffsets = Map<string, number>;

export async function startObservers(
  servers: readonly ObservedServer[],
  transports: ReadonlyMap<string, Transport>,
  vips: readonly string[],
  ha: HaOps,
): Promise<LogOffsets> {
  const offsets: LogOffsets = new Map();
  await Promise.all(
    servers.map(async (s) => {
      const t = need(transports, s.name);
      await mustRun(t, prepareCommand(), "prepare the drill directory");
      await mustRun(t, startMonitorCommand(), "start ip monitor");
      await mustRun(t, startSamplerCommand(), "start the ownership sampler");
      offsets.set(
        s.name,
        Number((await mustRun(t, logOffsetCommand(ha.logFile), "size the HA log")).trim()) || 0,
      );
      if (!s.capture) return;
      await mustRun(t, startCaptureCommand(s.lanInterface, vips), "start tcpdump");
      await waitFor(
        () => t.run(captureReadyCommand()).then((r) => r.exitCode === 0),
        5000,
        `${s.name}: tcpdump did not start`,
      );
    }),
  );
  return offsets;
}

/**
 * Restarts the monitor and the sampler on a server that was power-cycled (its observers died
 * with it). They append to the files they had before.
 */
export async function restartMonitor(t: Transport): Promise<void> {
  await mustRun(
    t,
    `${stopObserversCommand()}; ${startMonitorCommand()}; ${startSamplerCommand()}`,
    "restart ip monitor and the sampler",
  );
}

/** A stop or a read of the observers' files gives up on a server after this long. */
const COLLECT_MS = 60_000;

/** Best effort, for an interrupted drill: stops every observer that can still be reached. */
export async function stopObservers(
  servers: readonly ObservedServer[],
  transports: ReadonlyMap<string, Transport>,
): Promise<void> {
  await Promise.all(
    servers.map(async (s) => {
      const t = transports.get(s.name);
      if (t) await boundedRun(t, stopObserversCommand(), 10_000);
    }),
  );
}

export type Recorded = Pick<Observation, "monitor" | "packets" | "haLog" | "sampling"> & {
  /** The samplers' snapshots, server-stamped. */
  sampled: Observation["snapshots"];
  /** Servers whose records could not be read, with why. */
  unread: { server: string; error: string }[];
};

/** Stops the observers and reads their files; a server that cannot be read adds nothing. */
export async function collectObservations(
  servers: readonly ObservedServer[],
  transports: ReadonlyMap<string, Transport>,
  offsets: LogOffsets,
  clocks: ReadonlyMap<string, LogClock>,
  ha: HaOps,
): Promise<Recorded> {
  const recorded: Recorded = {
    monitor: [],
    packets: [],
    haLog: [],
    sampling: [],
    sampled: [],
    unread: [],
  };
  await Promise.all(
    servers.map(async (s) => {
      const t = transports.get(s.name);
      if (!t) return;
      const read = async (command: string): Promise<string> => {
        const r = await boundedRun(t, command, COLLECT_MS);
        if (!r.ok) throw new Error(r.error);
        return r.result.stdout;
      };
      try {
        await read(stopObserversCommand());
        for (const l of (await read(readObserverCommand("monitor"))).split("\n")) {
          const line = parseMonitorLine(l);
          if (line) recorded.monitor.push({ server: s.name, line });
        }
        const samples = parseSamples(s.name, await read(readObserverCommand("sampler")));
        recorded.sampled.push(...samples.snapshots);
        recorded.sampling?.push(samplingStats(s.name, samples.stampsMs));
        if (s.capture) {
          for (const l of (await read(readObserverCommand("tcpdump"))).split("\n")) {
            const packet = parseTcpdumpLine(l);
            if (packet) recorded.packets.push({ server: s.name, packet });
          }
        }
        const clock = clocks.get(s.name);
        if (!clock) return;
        const log = await read(readLogCommand(ha.logFile, offsets.get(s.name) ?? 0));
        for (const entry of ha.parseLog(log, clock)) recorded.haLog.push({ server: s.name, entry });
      } catch (err) {
        recorded.unread.push({
          server: s.name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }),
  );
  recorded.packets.sort((a, b) => a.packet.atMs - b.packet.atMs);
  recorded.haLog.sort((a, b) => a.entry.atMs - b.entry.atMs);
  recorded.sampling?.sort((a, b) => a.server.localeCompare(b.server));
  return recorded;
}
