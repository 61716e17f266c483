// What the drill learns from an HA engine's log, in one shape for every engine. Log lines carry
// whole seconds at best, so these events corroborate the millisecond timings the drill takes
// from `ip monitor` and tcpdump; they never replace them (the paper's "about 4 s" was read
// from heartbeat's log and could not be finer than that).
import type { HaEngine } from "../inventory/types.js";
import type { LogClock } from "./logtime.js";

export type HaEventKind =
  /** The engine declared its peer dead (crash, power-off, lost link). */
  | "peer-dead"
  /** The peer said it is leaving (orderly stop). */
  | "peer-leaving"
  /** This node starts taking over the peer's resources. */
  | "takeover-start"
  /** This node finished taking over. */
  | "takeover-complete"
  /** This node acquires resources (an address, a service). */
  | "acquire"
  /** This node gives resources up. */
  | "release"
  /** The engine on this node stopped. */
  | "stopped"
  /** Heartbeats arrive later than they should: timings are too tight for the host. */
  | "late-heartbeat";

export interface HaEvent {
  kind: HaEventKind;
  /** The other node the event is about, when the line names one. */
  node?: string;
  /** Resources or VRRP instance named by the line. */
  subject?: string;
}

export interface HaLogEntry {
  /** Milliseconds since the epoch, rounded down to the log's resolution. */
  atMs: number;
  /** Resolution of the timestamp: 1000 for whole-second logs. */
  resolutionMs: number;
  /** Program that wrote the line, e.g. `heartbeat`, `ResourceManager(default)`. */
  program: string;
  level?: string;
  message: string;
  event?: HaEvent;
}

/**
 * What the drill and `ksorch status` need to know about an HA engine: where it logs, how to tell
 * it runs, how to stop, crash and restart it. Commands are POSIX shell run as root over SSH.
 */
export interface HaOps {
  engine: HaEngine;
  /** Log file the engine writes (as ksorch configures it). */
  logFile: string;
  parseLog(text: string, clock: LogClock): HaLogEntry[];
  /** Holds the PID of the engine's main process, whose process group holds the rest. */
  pidFile: string;
  /** pidFile and the pidfiles of the engine's other processes. */
  pidFiles: string[];
  /** That process's name as /proc/PID/comm shows it. */
  processName: string;
  /** Exits 0 when the engine runs. */
  runningProbe: string;
  /** The paper's fault: an orderly stop, resources handed over. */
  stop: string;
  /** kill -9 of every process of the engine, by PID (from its pidfile and its children). */
  crash: string;
  start: string;
}
