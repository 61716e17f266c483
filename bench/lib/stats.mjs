// The one implementation of the benchmarks' statistics and markdown: medians with min-max,
// ratios, durations and tables. Used by bench/bench.mjs and by the scripts it builds on
// (bench/drill-table.mjs).

/** The median (the lower middle value of an even count); undefined for no values. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length === 0 ? undefined : v[Math.floor((v.length - 1) / 2)];
}

export function minMax(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  return v.length === 0 ? undefined : { min: Math.min(...v), max: Math.max(...v) };
}

/** Milliseconds for a person: `412 ms`, `1.85 s`, `48.9 s`. */
export function ms(x) {
  if (x === undefined) return "-";
  if (x < 1000) return `${Math.round(x)} ms`;
  return x < 10000 ? `${(x / 1000).toFixed(2)} s` : `${(x / 1000).toFixed(1)} s`;
}

/** `median (min-max)` of xs in the unit `fmt` gives, or just the value for one run. */
export function cell(xs, fmt = ms) {
  const m = median(xs);
  if (m === undefined) return "-";
  const r = minMax(xs);
  return r.min === r.max ? fmt(m) : `${fmt(m)} (${fmt(r.min)}-${fmt(r.max)})`;
}

/** How many times `a` is of `b`, e.g. `0.42x`, from the medians. */
export function ratio(a, b) {
  const x = median(Array.isArray(a) ? a : [a]);
  const y = median(Array.isArray(b) ? b : [b]);
  if (x === undefined || y === undefined || y === 0) return "-";
  const r = x / y;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
}

export const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
export const mbps = (bytes, wallMs) => `${(bytes / 1e6 / (wallMs / 1000)).toFixed(1)} MB/s`;

/** A markdown table: `head` is the list of column titles, `rows` lists of cells. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c ?? "")).join(" | ")} |`;
  return [line(head), `|${head.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** A line on one of the targets: what was aimed at, what was measured, met or missed. */
export const target = (aim, measured, met) =>
  `target: ${aim}; measured ${measured}: **${met === undefined ? "not measured" : met ? "met" : "missed"}**`;
