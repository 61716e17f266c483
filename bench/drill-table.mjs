// The table of bench/drill.sh, in markdown, from its output folder (LAB-MODE-RUN.json drill
// results and .load files): per engine and mode the median and min-max of the takeover, the
// first gratuitous ARP and the first answer to a client (all from the fault, by the servers'
// own clocks), the time two servers owned a VIP, the passing verdicts and the load average.
//   node bench/drill-table.mjs OUT_DIR MODE...
import console from "node:console";
import process from "node:process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { cell, median, minMax, table } from "./lib/stats.mjs";

const s = (x) => (x === undefined ? "-" : `${(x / 1000).toFixed(2)} s`);

/** { markdown, loads, missing } from the drills in `dir`, rows in the order of `modes`. */
export function drillTable(dir, modes) {
  const runs = new Map();
  const missing = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const m = /^(.+)-([a-z]+(?::[a-z]+)?)-(\d+)\.json$/.exec(f);
    if (!m) continue;
    let r;
    try {
      r = JSON.parse(readFileSync(`${dir}/${f}`, "utf8"));
    } catch {
      missing.push(`${f}: no result, see ${f.replace(/json$/, "log")}`);
      continue;
    }
    const loadFile = `${dir}/${f.replace(/json$/, "load")}`;
    if (existsSync(loadFile)) r.load = Number(readFileSync(loadFile, "utf8").trim());
    const key = `${r.setup.engine}, ${r.setup.vips.length} servers|${m[2]}`;
    runs.set(key, [...(runs.get(key) ?? []), r]);
  }
  const rank = (key) => modes.indexOf(key.split("|")[1]);
  const keys = [...runs.keys()].sort(
    (a, b) => a.split("|")[0].localeCompare(b.split("|")[0]) || rank(a) - rank(b),
  );
  const rows = keys.map((key) => {
    const results = runs.get(key);
    const [engine, mode] = key.split("|");
    const t = results.map((r) => r.measurements.takeovers[0] ?? {});
    const double = results.map((r) =>
      r.measurements.doubleOwnership.reduce((sum, d) => sum + d.durationMs, 0),
    );
    const fenced =
      mode === "freeze" ? (results[0].setup.fencing ? ", fenced" : ", no fencing") : "";
    const none = (xs) => (xs.every((x) => x === undefined) ? "none" : cell(xs, s));
    const nothingMoved = mode.startsWith("crossover") && t.every((x) => x.survivor === undefined);
    return [
      engine,
      `${mode.replace(":", " ")}${fenced}`,
      nothingMoved ? "none (nothing may move)" : none(t.map((x) => x.onSurvivorMs)),
      none(t.map((x) => x.firstGarpMs)),
      none(t.map((x) => x.firstAnswerMs)),
      `${s(median(double))} (max ${s(minMax(double)?.max)})`,
      `${results.filter((r) => r.verdict.pass).length}/${results.length}`,
      median(results.map((r) => r.load)) ?? "-",
    ];
  });
  return {
    markdown: table(
      [
        "engine",
        "mode",
        "takeover",
        "first gratuitous ARP",
        "first answer to a client",
        "two owners",
        "passed",
        "load",
      ],
      rows,
    ),
    loads: [...runs.values()].flat().map((r) => r.load),
    missing,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...modes] = process.argv.slice(2);
  const t = drillTable(dir, modes);
  for (const m of t.missing) console.error(m);
  console.log(t.markdown);
  console.log(`\nraw results: ${dir}`);
}
