// The table of bench/ansible/run.sh, in markdown, from its output folder: per kind of run the
// wall time (median, min-max), the tool's own time (ksorch: the engine's durationMs; Ansible: the
// first play's start to the last play's end, i.e. without interpreter start-up and parsing),
// the CPU time its processes on this side used (user + system; not the servers' side, nor an
// SSH control master that outlives the run), the 1-minute load average at the start, the
// task-host pairs and how many changed.
//   node bench/ansible/table.mjs OUT_DIR
import console from "node:console";
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";

const dir = process.argv[2];
const read = (f) => readFileSync(`${dir}/${f}`, "utf8");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// `times` output: 2 lines before, 2 after; the second of each is the children's "0m1.5s 0m0.2s".
const cpu = (text) => {
  const secs = (line) =>
    line.split(/\s+/).reduce((a, t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? a + Number(m[1]) * 60 + Number(m[2]) : a;
    }, 0);
  const lines = text.trim().split("\n");
  return (secs(lines[3]) - secs(lines[1])) * 1000;
};
const ms = (x) => (x >= 10000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);

// ksorch: --json report; pairs are task x host, loop items counted one by one.
const ksorch = (out) => {
  const r = JSON.parse(out);
  const skipped = r.results.filter((x) => x.status === "skipped").length;
  return {
    own: r.durationMs,
    run: r.results.length - skipped,
    skipped,
    changed: r.results.filter((x) => x.status === "changed").length,
  };
};
// Ansible: the json callback's stats; a loop is one task (its items are not counted), handlers
// that ran are in `ok`.
const ansible = (out) => {
  const r = JSON.parse(out);
  const stats = Object.values(r.stats);
  const sum = (k) => stats.reduce((a, s) => a + s[k], 0);
  const plays = r.plays.map((p) => p.play.duration);
  return {
    own: Date.parse(plays.at(-1).end) - Date.parse(plays[0].start),
    run: sum("ok") + sum("failures") + sum("unreachable"),
    skipped: sum("skipped"),
    changed: sum("changed"),
  };
};

const kinds = [
  ["ksorch-cold", "ksorch: cold apply (fresh lab)", ksorch],
  ["ksorch-noop", "ksorch: no-op re-apply", ksorch],
  ["ansible-prereq", "Ansible prerequisite: python3, python3-apt, rsync offline", null],
  ["ansible-cold", "Ansible: cold apply (fresh lab), pipelining + ControlPersist", ansible],
  ["ansible-noop", "Ansible: no-op re-apply, pipelining + ControlPersist", ansible],
  ["ansdefault-noop", "Ansible: no-op re-apply, default configuration", ansible],
];
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".wall"))
  .map((f) => f.slice(0, -5));
const rows = [];
for (const [kind, label, parse] of kinds) {
  const runs = names
    .filter((n) => n === kind || n.startsWith(`${kind}-`))
    .map((n) => ({
      wall: Number(read(`${n}.wall`)),
      load: Number(read(`${n}.load`)),
      cpu: cpu(read(`${n}.cpu`)),
      report: parse ? parse(read(`${n}.out`)) : null,
    }));
  if (runs.length === 0) continue;
  const walls = runs.map((r) => r.wall);
  const reports = runs.map((r) => r.report).filter((r) => r !== null);
  rows.push([
    label,
    String(runs.length),
    ms(median(walls)),
    runs.length > 1 ? `${ms(Math.min(...walls))} - ${ms(Math.max(...walls))}` : "",
    reports.length ? ms(median(reports.map((r) => r.own))) : "",
    ms(median(runs.map((r) => r.cpu))),
    median(runs.map((r) => r.load)).toFixed(2),
    reports.length ? `${reports[0].run} + ${reports[0].skipped} skipped` : "",
    reports.map((r) => r.changed).join("/"),
  ]);
}
const head = [
  "run",
  "n",
  "wall median",
  "wall min - max",
  "own time median",
  "CPU here median",
  "load",
  "task-host pairs",
  "changed",
];
console.log(`| ${head.join(" | ")} |`);
console.log(`|${head.map(() => " --- ").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
