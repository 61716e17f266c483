// What the drill learns from an HA engine's log, in one shape for every engine. Log lines carry
// whole seconds at best, so these events corroborate the millisecond timings the drill takes
// from `ip monitor` and tcpdump; they never replace them (the paper's "about 4 s" was read
// from heartbeat's log and could not be finer than that).

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
