// Reading what a server's ownership sampler wrote (see SAMPLER_SCRIPT in ./remote.ts): a stamp
// line `@ <epoch ns>` every ~100 ms, followed by `ip -o -4 addr show` and `ip -o link show`
// when they changed since the sample before. A sample with lines is a full snapshot of the
// server's addresses and links; one without repeats the previous snapshot.
import { parseAddrLine, parseLinkLine } from "./ipaddr.js";
import type { SamplingStats, Snapshot } from "./types.js";

export interface Sampled {
  /** One snapshot per sample whose output changed (the first sample always has one). */
  snapshots: Snapshot[];
  /** Time of every sample, changed or not. */
  stampsMs: number[];
}

const STAMP_LINE = /^@ (\d{16,})$/;

/** Epoch nanoseconds (19 digits, beyond a double's precision) to milliseconds. */
function nsToMs(ns: string): number {
  return Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6;
}

export function parseSamples(server: string, text: string): Sampled {
  const snapshots: Snapshot[] = [];
  const stampsMs: number[] = [];
  let current: Snapshot | undefined;
  for (const line of text.split("\n")) {
    const stamp = STAMP_LINE.exec(line.trim());
    if (stamp) {
      current = undefined;
      stampsMs.push(nsToMs(stamp[1] as string));
      continue;
    }
    const atMs = stampsMs.at(-1);
    // Lines before the first stamp: a sampler killed mid-write, or a truncated file.
    if (atMs === undefined || line.trim() === "") continue;
    if (!current) {
      current = { server, atMs, addrs: [], links: [] };
      snapshots.push(current);
    }
    const addr = parseAddrLine(line);
    if (addr) current.addrs.push(addr);
    else {
      const link = parseLinkLine(line);
      if (link) current.links.push(link);
    }
  }
  // A sample cut off by the sampler's end (killed between its stamp and its output) would
  // claim the server had no address at all: a snapshot must list at least one link.
  return { snapshots: snapshots.filter((s) => s.links.length > 0), stampsMs };
}

/** How regularly a server was sampled (gaps 0 with fewer than two samples). */
export function samplingStats(server: string, stampsMs: readonly number[]): SamplingStats {
  const sorted = [...stampsMs].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number));
  const byLength = [...gaps].sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 10) / 10;
  return {
    server,
    samples: sorted.length,
    maxGapMs: round(byLength.at(-1) ?? 0),
    medianGapMs: round(byLength[Math.floor(byLength.length / 2)] ?? 0),
  };
}
