// Throughput per server over time as an inline SVG, with the fault, the takeover and the undo
// marked: the picture that shows a person the load moving from one server to the other.
import type { TransferSample } from "../types.js";
import { escapeXml } from "./escape.js";

export interface Series {
  server: string;
  /** Megabytes per second in each bin. */
  rates: number[];
}

export interface Binned {
  startMs: number;
  binMs: number;
  series: Series[];
}

/** Sums transfers into `bins` equal bins from `startMs` to `endMs`, per server. */
export function binThroughput(
  transfers: readonly TransferSample[],
  servers: readonly string[],
  startMs: number,
  endMs: number,
  bins = 120,
): Binned {
  const binMs = Math.max(100, Math.ceil((endMs - startMs) / bins));
  const count = Math.max(1, Math.ceil((endMs - startMs) / binMs));
  const series = servers.map((server) => {
    const bytes = new Array<number>(count).fill(0);
    for (const t of transfers) {
      if (t.server !== server || t.atMs < startMs || t.atMs >= endMs) continue;
      const i = Math.floor((t.atMs - startMs) / binMs);
      bytes[i] = (bytes[i] ?? 0) + t.bytes;
    }
    return { server, rates: bytes.map((b) => b / 1e6 / (binMs / 1000)) };
  });
  return { startMs, binMs, series };
}

export interface Marker {
  atMs: number;
  label: string;
}

const W = 760;
const H = 300;
// The top band holds the legend; marker labels sit inside the plot, one row per marker, so
// markers a fraction of a second apart (fault, takeover) stay readable.
const PAD = { left: 56, right: 16, top: 28, bottom: 28 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/** `zeroMs` is the fault: the x axis reads seconds relative to it. */
export function throughputSvg(data: Binned, markers: readonly Marker[], zeroMs: number): string {
  const count = data.series[0]?.rates.length ?? 1;
  const endMs = data.startMs + count * data.binMs;
  const maxRate = Math.max(0.001, ...data.series.flatMap((s) => s.rates));
  const x = (ms: number): number =>
    PAD.left + ((ms - data.startMs) / (endMs - data.startMs)) * (W - PAD.left - PAD.right);
  const y = (rate: number): number =>
    H - PAD.bottom - (rate / maxRate) * (H - PAD.top - PAD.bottom);
  const lines = data.series.map((s, i) => {
    const points = s.rates
      .map((r, j) => `${x(data.startMs + (j + 0.5) * data.binMs).toFixed(1)},${y(r).toFixed(1)}`)
      .join(" ");
    const colour = COLOURS[i % COLOURS.length];
    return `<polyline class="series" data-server="${escapeXml(s.server)}" fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`;
  });
  const legend = data.series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const lx = PAD.left + i * 120;
    return `<rect x="${lx}" y="6" width="12" height="12" fill="${colour}"/><text x="${lx + 16}" y="17">${escapeXml(s.server)}</text>`;
  });
  const marks = markers
    .filter((m) => m.atMs >= data.startMs && m.atMs <= endMs)
    .map((m, i) => {
      const mx = x(m.atMs).toFixed(1);
      const ly = PAD.top + 12 + 13 * i;
      return `<line class="marker" x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555" stroke-dasharray="4 3"/><text x="${(x(m.atMs) + 3).toFixed(1)}" y="${ly}">${escapeXml(m.label)}</text>`;
    });
  const ticks = axisTicks(data.startMs - zeroMs, endMs - zeroMs).map((s) => {
    const tx = x(zeroMs + s * 1000).toFixed(1);
    return `<text x="${tx}" y="${H - PAD.bottom + 14}" text-anchor="middle">${s} s</text>`;
  });
  const yLabel = `<text x="4" y="${PAD.top + 10}">${maxRate.toFixed(1)} MB/s</text><text x="4" y="${H - PAD.bottom}">0</text>`;
  const axes = `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#000"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#000"/>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11" role="img" aria-label="throughput per server">`,
    axes,
    yLabel,
    ...ticks,
    ...lines,
    ...marks,
    ...legend,
    "</svg>",
  ].join("\n");
}

/** Whole-second ticks, at most about ten of them. */
function axisTicks(fromMs: number, toMs: number): number[] {
  const span = (toMs - fromMs) / 1000;
  const step = [1, 2, 5, 10, 20, 30, 60, 120, 300].find((s) => span / s <= 10) ?? 600;
  const first = Math.ceil(fromMs / 1000 / step) * step;
  const ticks: number[] = [];
  for (let s = first; s <= toMs / 1000; s += step) ticks.push(s);
  return ticks;
}
