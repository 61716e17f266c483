// The drill's data model. Observation collects what was seen on the servers (all timestamps are
// epoch milliseconds taken by the servers themselves); the pure functions in this folder turn
// it into measurements, a timeline relative to the fault, and a verdict.
import type { HaEngine, DhcpServer } from "../inventory/types.js";
import type { HaLogEntry } from "../ha/types.js";
import type { AddrEntry, LinkEntry, MonitorLine } from "./ipaddr.js";
import type { Packet } from "./tcpdump.js";
import type { PhaseRecord } from "../lab/client/report.js";

export const FAULT_MODES = ["stop", "crash", "poweroff", "link", "crossover", "freeze"] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/**
 * How `link` and `crossover` break their link: `down` loses the carrier (the cable pulled),
 * `drop` keeps the link up and drops every packet on it (a bad switch port; the lab drops ARP
 * too, with arptables; a real server drops IP only, with iptables).
 */
export const LINK_FAULTS = ["down", "drop"] as const;
export type LinkFault = (typeof LINK_FAULTS)[number];

/** Modes that break a link, and so take `--link-fault`. */
export const LINK_MODES: readonly FaultMode[] = ["link", "crossover"];

/** A server's addresses and links at one moment; it replaces what was known before. */
export interface Snapshot {
  server: string;
  atMs: number;
  addrs: AddrEntry[];
  links: LinkEntry[];
}

/** Which of the cluster's services run on a server at one moment. */
export interface ServiceProbe {
  server: string;
  atMs: number;
  phase: "before" | "after-takeover" | "after-recovery";
  dhcp: boolean;
  tftp: boolean;
  ftp: boolean;
  ha: boolean;
  /** The LAN link has carrier: a daemon behind a dead link serves nobody. */
  lanUp: boolean;
}

/** One download sample of an install client: `bytes` received from `server` since its last sample. */
export interface TransferSample {
  atMs: number;
  client: string;
  server: string;
  bytes: number;
}

export interface ClientOutcome {
  client: string;
  finished: boolean;
  checksumOk: boolean;
  /** Why it did not finish, when it did not. */
  error?: string;
  /** How it got past a failure on its way, in words ("rebooted once after pxelinux failed"). */
  recovered?: string[];
  /** Lab clients: when it started (epoch ms) and its install phases (ms since then). */
  startedAt?: number;
  phases?: PhaseRecord[];
}

export interface DrillSetup {
  engine: HaEngine;
  mode: FaultMode;
  target: string;
  /** VIPs the target held when the drill started: the ones that must move. */
  targetVips: string[];
  /** Each VIP and the server that holds it in a healthy cluster. */
  vips: { vip: string; home: string }[];
  /** Server whose resources include DHCP (the paper: server1). */
  dhcpHome: string;
  /** isc: one dhcpd that follows dhcpHome's VIP; kea: kea-dhcp4 on every server (its HA hook). */
  dhcpServer: DhcpServer;
  /** LAN interface and MAC of each server. */
  lan: Record<string, { interface: string; mac: string; address: string }>;
  clientIps: string[];
  maxTakeoverMs: number;
  autoFailback: boolean;
  /** `link` and `crossover`: how the link was broken. */
  linkFault?: LinkFault;
  /** `freeze`: how long the target's processes were stopped. */
  freezeMs?: number;
  /** The inventory has `ha.fence`: a survivor powers its peer off before taking its VIPs. */
  fencing: boolean;
}

export interface Observation {
  setup: DrillSetup;
  startedAtMs: number;
  faultAtMs: number;
  /** When the fault was undone (freeze: the target resumed); absent when not attempted. */
  undoAtMs?: number;
  endedAtMs: number;
  snapshots: Snapshot[];
  monitor: { server: string; line: MonitorLine }[];
  /**
   * A host that went away (power-off, or fenced by its peer): its addresses answer nothing
   * until its next snapshot.
   */
  hostDown: { server: string; atMs: number }[];
  /** How often each server's ownership sampler recorded (absent in older observations). */
  sampling?: SamplingStats[];
  /** Packets captured on the servers other than the target. */
  packets: { server: string; packet: Packet }[];
  haLog: { server: string; entry: HaLogEntry }[];
  services: ServiceProbe[];
  transfers: TransferSample[];
  /** Absent when no install clients ran (a real site). */
  clients?: ClientOutcome[];
}

/** The sampler of one server: how many samples it took and the longest gap between two. */
export interface SamplingStats {
  server: string;
  samples: number;
  /** Longest time between two consecutive samples (a frozen or powered-off host shows here). */
  maxGapMs: number;
  /** Median time between two consecutive samples. */
  medianGapMs: number;
}

/** A server able to answer for a VIP on the wire from `fromMs` to `toMs` (open: still at the end). */
export interface Ownership {
  vip: string;
  server: string;
  fromMs: number;
  toMs?: number;
}

export interface DoubleOwnership {
  vip: string;
  servers: [string, string];
  fromMs: number;
  toMs?: number;
  durationMs: number;
}

export interface VipTakeover {
  vip: string;
  /** Server that took it over, when one did. */
  survivor?: string;
  /** Fault -> VIP configured (with carrier) on the survivor. */
  onSurvivorMs?: number;
  /** Fault -> the target removed the VIP itself, when it still held it after the fault (a
   *  graceful stop lets its TFTP transfers finish first). */
  releasedMs?: number;
  /** Fault -> first gratuitous ARP for the VIP from the survivor's MAC. */
  firstGarpMs?: number;
  /** Fault -> first packet from the VIP to a client sent with the survivor's MAC. */
  firstAnswerMs?: number;
}

export interface Measurements {
  takeovers: VipTakeover[];
  doubleOwnership: DoubleOwnership[];
  /** Owners of each VIP at the end of the drill. */
  finalOwners: { vip: string; servers: string[] }[];
  /** Servers serving DHCP (running, LAN link up) once the takeover was done. */
  dhcpAfterTakeover?: string[];
  /** Undo -> every VIP back home with a single owner (auto_failback) or settled. */
  failbackMs?: number;
  /** Bytes the install clients received from each server before and after the fault. */
  bytesByServer: { server: string; beforeFault: number; afterFault: number }[];
  /**
   * The longest a client went without data from the fault on, by its transfer records: what
   * the install saw of the takeover (and of any stall after it). Absent without clients.
   */
  longestClientWait?: { client: string; fromMs: number; durationMs: number };
  /** Takeover as heartbeat's own log tells it, whole seconds: what the paper measured. */
  haLogTakeoverS?: number;
  /** How regularly each server's ownership was sampled. */
  sampling?: SamplingStats[];
}

export type CheckStatus = "pass" | "fail" | "skipped";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How to fix the configuration, for a failed check. */
  hint?: string;
}

export interface Verdict {
  pass: boolean;
  checks: Check[];
}

export interface TimelineEvent {
  /** Milliseconds relative to the fault (negative: before it). */
  atMs: number;
  server?: string;
  text: string;
  /** The source's resolution when coarser than a millisecond (HA logs: 1000). */
  resolutionMs?: number;
}

/** The drill's outcome: what `--json` prints and the report shows. */
export interface DrillResult {
  setup: DrillSetup;
  /** ISO time of the fault. */
  faultAt: string;
  verdict: Verdict;
  measurements: Measurements;
  timeline: TimelineEvent[];
}
