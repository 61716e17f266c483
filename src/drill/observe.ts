// Starting the observers on every server before the fault, and reading what they recorded
// after it: `ip monitor` everywhere, tcpdump on every server but the target (the survivors,
// where the moved VIP shows up), and the part of the HA log written during the drill.
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
  stopObserversCommand,
} from "./remote.js";
import { parseTcpdumpLine } from "./tcpdump.js";
import type { Observation } from "./types.js";
import { mustRun } from "./exec.js";
import { need, waitFor } from "./wait.js";

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

/** Restarts the monitor on a server that was power-cycled (its observers died with it). */
export async function restartMonitor(t: Transport): Promise<void> {
  await mustRun(t, `${stopObserversCommand()}; ${startMonitorCommand()}`, "restart ip monitor");
}

/** Best effort, for an interrupted drill: stops every observer that can still be reached. */
export async function stopObservers(
  servers: readonly ObservedServer[],
  transports: ReadonlyMap<string, Transport>,
): Promise<void> {
  await Promise.all(
    servers.map((s) =>
      transports
        .get(s.name)
        ?.run(stopObserversCommand())
        .catch(() => undefined),
    ),
  );
}

export type Recorded = Pick<Observation, "monitor" | "packets" | "haLog">;

/** Stops the observers and reads their files; a server that cannot be read adds nothing. */
export async function collectObservations(
  servers: readonly ObservedServer[],
  transports: ReadonlyMap<string, Transport>,
  offsets: LogOffsets,
  clocks: ReadonlyMap<string, LogClock>,
  ha: HaOps,
): Promise<Recorded> {
  const recorded: Recorded = { monitor: [], packets: [], haLog: [] };
  await Promise.all(
    servers.map(async (s) => {
      const t = transports.get(s.name);
      if (!t) return;
      await t.run(stopObserversCommand());
      const monitor = await t.run(readObserverCommand("monitor"));
      for (const l of monitor.stdout.split("\n")) {
        const line = parseMonitorLine(l);
        if (line) recorded.monitor.push({ server: s.name, line });
      }
      if (s.capture) {
        const dump = await t.run(readObserverCommand("tcpdump"));
        for (const l of dump.stdout.split("\n")) {
          const packet = parseTcpdumpLine(l);
          if (packet) recorded.packets.push({ server: s.name, packet });
        }
      }
      const clock = clocks.get(s.name);
      if (!clock) return;
      const log = await t.run(readLogCommand(ha.logFile, offsets.get(s.name) ?? 0));
      for (const entry of ha.parseLog(log.stdout, clock))
        recorded.haLog.push({ server: s.name, entry });
    }),
  );
  recorded.packets.sort((a, b) => a.packet.atMs - b.packet.atMs);
  recorded.haLog.sort((a, b) => a.entry.atMs - b.entry.atMs);
  return recorded;
}
