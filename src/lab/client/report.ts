// The record one install client leaves: what it was told at each step, where its bytes came
// from, and its verdict. Times are milliseconds since `startedAt` (epoch ms), so a drill can
// line them up with the moment it injected a fault.
import type { FailedSource, Stage2 } from "./dracut.js";
import type { Firmware } from "./grub.js";
import type { Phase, ProfileName } from "./profile.js";

export interface Lease {
  ip: string;
  /** Prefix length. */
  mask: number;
  /** next-server: where to fetch the boot file from. */
  siaddr: string;
  bootFile: string;
  serverId: string;
  /** Option 211: seconds pxelinux waits after a fatal error before it reboots the PC. */
  rebootS?: number;
}

export interface TimelineEvent {
  tMs: number;
  event:
    | "dhcp"
    | "lease"
    | "tftp"
    | "config"
    | "kernel"
    | "kickstart"
    | "stage2"
    | "packages"
    | "retry"
    | "reboot"
    | "verified"
    | "error";
  detail: string;
}

/** One run of curl (one attempt at one file). */
export interface Transfer {
  file: string;
  startMs: number;
  endMs: number;
  bytes: number;
  /** The address curl connected to (a VIP in the cluster). */
  address: string;
  /** The server that answered: found from the MAC the client's ARP table has for `address`. */
  server?: string;
  exitCode: number;
}

export interface ThroughputBucket {
  /** Start of the bucket, ms since startedAt. */
  tMs: number;
  /** Bytes received in this bucket per server (or per address when the server is unknown). */
  bytes: Record<string, number>;
}

export type Verdict = "pass" | "fail";

/** One install phase of one client: when it ran, and the retries it used of its budget. */
export interface PhaseRecord {
  phase: Phase;
  startMs: number;
  endMs?: number;
  retries: number;
  /** Retries the client allows in this phase (per file where it asks per file); absent:
   *  unlimited (the patient profile). */
  budget?: number;
  ok: boolean;
}

/** What dnf did in the package phase. */
export interface DnfResult {
  mode: "install" | "downloadonly";
  exitCode: number;
  /** dnf's last error line when it failed. */
  error?: string;
  /** Downloads librepo retried ("[MIRROR]" lines), of `retriesBudget` (0: for ever). */
  retries: number;
  retriesBudget: number;
  /** NEVRAs in the installroot's rpm database (install), or the RPMs downloaded. */
  packages: string[];
  durationMs: number;
}

export interface ClientReport {
  client: string;
  mac: string;
  expectedIp: string;
  startedAt: number;
  lease?: Lease;
  /** Times the PC rebooted after a fatal boot loader error (pxelinux's kaboom) and began again. */
  reboots: number;
  /** Times GRUB's default entry failed and its fallback entry booted instead. */
  fallbacks?: number;
  /** Firmware the client emulates: BIOS runs pxelinux, x64 UEFI runs GRUB. */
  firmware: Firmware;
  /** The boot programs fetched before any config: the DHCP boot file, then (shim) GRUB. */
  loaders?: string[];
  /** How patient the client is (./profile.ts). */
  profile: ProfileName;
  phases: PhaseRecord[];
  /** Config files the boot loader asked for (pxelinux's, or GRUB's on UEFI), and the one used. */
  pxelinux: { tried: string[]; used?: string };
  boot?: { kernel: string; initrd?: string; append: string; matchesTree?: boolean };
  /** The kickstart source that served it, and the ones given up on before. */
  kickstartUrl?: string;
  kickstartFailed?: FailedSource[];
  installUrl?: string;
  /** The stage2 image dracut fetched, and whether it matches .treeinfo's checksum. */
  stage2?: Stage2;
  dnf?: DnfResult;
  /** Files fetched from the tree: .treeinfo, stage2 and the packages dnf downloaded. */
  files: number;
  bytes: number;
  bytesByAddress: Record<string, number>;
  bytesByServer: Record<string, number>;
  retries: number;
  /** Files whose content did not match: stage2 against .treeinfo, packages (`rpm -V`). */
  checksumFailures: string[];
  timeline: TimelineEvent[];
  transfers: Transfer[];
  throughput: ThroughputBucket[];
  durationMs: number;
  verdict: Verdict;
  error?: string;
}

function add(rec: Record<string, number>, key: string, n: number): void {
  rec[key] = (rec[key] ?? 0) + n;
}

/** Spreads each transfer's bytes evenly over its duration, in buckets of `bucketMs`. */
export function throughput(transfers: Transfer[], bucketMs = 1000): ThroughputBucket[] {
  const buckets = new Map<number, Record<string, number>>();
  for (const t of transfers) {
    if (t.bytes <= 0) continue;
    const who = t.server ?? t.address;
    const end = Math.max(t.endMs, t.startMs + 1);
    for (let b = Math.floor(t.startMs / bucketMs) * bucketMs; b < end; b += bucketMs) {
      const overlap = Math.min(end, b + bucketMs) - Math.max(t.startMs, b);
      const bucket = buckets.get(b) ?? {};
      buckets.set(b, bucket);
      add(bucket, who, (t.bytes * overlap) / (end - t.startMs));
    }
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tMs, bytes]) => ({
      tMs,
      bytes: Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, Math.round(v)])),
    }));
}

/** Totals per address and per server over all transfers. */
export function totals(transfers: Transfer[]): {
  bytes: number;
  bytesByAddress: Record<string, number>;
  bytesByServer: Record<string, number>;
} {
  const bytesByAddress: Record<string, number> = {};
  const bytesByServer: Record<string, number> = {};
  let bytes = 0;
  for (const t of transfers) {
    bytes += t.bytes;
    add(bytesByAddress, t.address || "unknown", t.bytes);
    add(bytesByServer, t.server ?? "unknown", t.bytes);
  }
  return { bytes, bytesByAddress, bytesByServer };
}
