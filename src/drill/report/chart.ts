// Throughput per server over time as an inline SVG, one filled panel per server on a shared time
// axis and MB/s scale (lines on one axis hid each other), with the fault, the takeover and the
// undo marked across every panel: the picture of the load moving from one server to another.
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
/** One panel per server, stacked on a shared time axis and a shared MB/s scale. */
const PANEL_H = 90;
const GAP = 12;
const PAD = { left: 64, right: 16, top: 30, bottom: 40 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/** A readable top for the MB/s scale: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

/** `zeroMs` is the fault: the x axis reads seconds relative to it. */
export function throughputSvg(data: Binned, markers: readonly Marker[], zeroMs: number): string {
  const count = data.series[0]?.rates.length ?? 1;
  const endMs = data.startMs + count * data.binMs;
  const top = niceMax(Math.max(0.001, ...data.series.flatMap((s) => s.rates)));
  const n = Math.max(1, data.series.length);
  const H = PAD.top + n * PANEL_H + (n - 1) * GAP + PAD.bottom;
  const x = (ms: number): number =>
    PAD.left + ((ms - data.startMs) / (endMs - data.startMs)) * (W - PAD.left - PAD.right);
  const panelTop = (i: number): number => PAD.top + i * (PANEL_H + GAP);
  const panels = data.series.map((s, i) => {
    const y0 = panelTop(i) + PANEL_H;
    const y = (rate: number): number => y0 - (rate / top) * PANEL_H;
    const colour = COLOURS[i % COLOURS.length] ?? "#000";
    const pts = s.rates.map(
      (r, j) => `${x(data.startMs + (j + 0.5) * data.binMs).toFixed(1)},${y(r).toFixed(1)}`,
    );
    const area = `M${x(data.startMs).toFixed(1)},${y0} L${pts.join(" L")} L${x(endMs).toFixed(1)},${y0} Z`;
    const marks = markers
      .filter((m) => m.atMs >= data.startMs && m.atMs <= endMs)
      .map((m) => {
        const mx = x(m.atMs).toFixed(1);
        return `<line class="marker" data-label="${escapeXml(m.label)}" x1="${mx}" x2="${mx}" y1="${panelTop(i)}" y2="${y0}" stroke="#555" stroke-dasharray="4 3"/>`;
      });
    return [
      `<g class="panel" data-server="${escapeXml(s.server)}">`,
      `<rect x="${PAD.left}" y="${panelTop(i)}" width="${W - PAD.left - PAD.right}" height="${PANEL_H}" fill="#f7f7f7"/>`,
      `<path class="series" data-server="${escapeXml(s.server)}" d="${area}" fill="${colour}" fill-opacity="0.35" stroke="${colour}" stroke-width="1.5"/>`,
      ...marks,
      `<text class="server-label" x="${PAD.left + 6}" y="${panelTop(i) + 14}" font-weight="bold" fill="${colour}">${escapeXml(s.server)}</text>`,
      `<text x="${PAD.left - 6}" y="${panelTop(i) + 10}" text-anchor="end">${top} MB/s</text>`,
      `<text x="${PAD.left - 6}" y="${y0}" text-anchor="end">0</text>`,
      "</g>",
    ].join("\n");
  });
  // Marker labels once, above the first panel, one row each so close markers stay readable.
  const labels = markers
    .filter((m) => m.atMs >= data.startMs && m.atMs <= endMs)
    .map((m, i) => {
      const anchor = i % 2 === 0 ? "end" : "start";
      const dx = i % 2 === 0 ? -3 : 3;
      return `<text class="marker-label" x="${(x(m.atMs) + dx).toFixed(1)}" y="${PAD.top - 6 - 11 * Math.floor(i / 2)}" text-anchor="${anchor}">${escapeXml(m.label)}</text>`;
    });
  const axisY = H - PAD.bottom;
  const ticks = axisTicks(data.startMs - zeroMs, endMs - zeroMs).map((t) => {
    const tx = x(zeroMs + t * 1000).toFixed(1);
    return `<line x1="${tx}" x2="${tx}" y1="${axisY}" y2="${axisY + 4}" stroke="#000"/><text x="${tx}" y="${axisY + 15}" text-anchor="middle">${t} s</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11" role="img" aria-label="throughput per server">`,
    ...panels,
    ...labels,
    `<line x1="${PAD.left}" y1="${axisY}" x2="${W - PAD.right}" y2="${axisY}" stroke="#000"/>`,
    ...ticks,
    `<text class="axis-label" x="${(PAD.left + W - PAD.right) / 2}" y="${H - 4}" text-anchor="middle">seconds from the fault</text>`,
    `<text class="axis-label" transform="translate(12 ${PAD.top + (n * PANEL_H) / 2}) rotate(-90)" text-anchor="middle">throughput (MB/s)</text>`,
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
