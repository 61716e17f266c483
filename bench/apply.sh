#!/usr/bin/env bash
# Benchmark of `ksorch apply` on a lab of its own (not a timed test): the median of RUNS cold
# applies, each on a freshly built lab, and of NOOPS no-op re-applies, with the number of
# task-host pairs, as a table. For the cold applies it also reports ksorch's own overhead: the
# wall time minus the package installation, the tree copy, heartbeat's start and the wait for
# the VIPs (the slowest host's time for each). The machine's load average is printed with the
# figures: on a shared machine they move with it. Needs root and a built CLI (npm run build).
#   bash bench/apply.sh                        # LAB=benchlab RUNS=3 NOOPS=5
#   COLD=0 LAB=perf bash bench/apply.sh        # only no-op re-applies, on a lab already applied
#   BASELINE=/path/to/other/checkout COLD=0 LAB=perf bash bench/apply.sh
#                                              # no-op re-applies of both builds, alternating
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${LAB:-benchlab}
RUNS=${RUNS:-3}
NOOPS=${NOOPS:-5}
COLD=${COLD:-1}
BASELINE=${BASELINE:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export KSORCH_SECRETS_DIR=${KSORCH_SECRETS_DIR:-$OUT/secrets}
ksorch() { node dist/cli/main.js "$@"; }
INV=/var/lib/ksorch/labs/$LAB/inventory.yaml

# One apply by the CLI of checkout $2 (default: this one): wall time in $OUT/$1.wall (ms), its
# JSON report in $OUT/$1.json.
timed_apply() {
  local t0 t1 dir=${2:-.}
  t0=$(date +%s%N)
  node "$dir/dist/cli/main.js" apply "$INV" --json >"$OUT/$1.json" 2>"$OUT/$1.log" ||
    { tail -20 "$OUT/$1.log" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >"$OUT/$1.wall"
}

cut -d' ' -f1-3 /proc/loadavg >"$OUT/load-start"
if [[ $COLD == 1 ]]; then
  for i in $(seq "$RUNS"); do
    ksorch lab down --name "$LAB" >/dev/null 2>&1
    ksorch lab up --name "$LAB" >/dev/null 2>&1
    timed_apply "cold-$i"
    echo "cold apply $i/$RUNS done" >&2
  done
fi
for i in $(seq "$NOOPS"); do
  [[ -n $BASELINE ]] && timed_apply "base-$i" "$BASELINE"
  timed_apply "noop-$i"
done
cut -d' ' -f1-3 /proc/loadavg >"$OUT/load-end"
[[ $COLD == 1 ]] && ksorch lab down --name "$LAB" >/dev/null 2>&1

node --input-type=module - "$OUT" "$LAB" <<'JS'
import fs from "node:fs";
import { median, minMax, ms, table } from "./bench/lib/stats.mjs";
const [dir, lab] = process.argv.slice(2);
const runs = (kind) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${kind}-`) && f.endsWith(".wall"))
    .map((f) => f.slice(0, -5))
    .map((name) => ({
      wall: Number(fs.readFileSync(`${dir}/${name}.wall`, "utf8")),
      report: JSON.parse(fs.readFileSync(`${dir}/${name}.json`, "utf8")),
    }));
// The slowest host's time in tasks of the given modules/names: what ksorch waits on, not its own.
const slowest = (report, pick) => {
  const per = new Map();
  for (const r of report.results.filter(pick)) per.set(r.host, (per.get(r.host) ?? 0) + r.durationMs);
  return Math.max(0, ...per.values());
};
const external = (report) =>
  slowest(report, (r) => r.module === "package") +
  slowest(report, (r) => r.module === "sync") +
  slowest(report, (r) => r.module === "service" && /heartbeat/.test(r.task + (r.summary ?? ""))) +
  slowest(report, (r) => r.module === "cluster_vips");
// Connecting and gathering facts: from the engine's start to its first task.
const connect = (report) =>
  Math.min(...report.results.map((r) => Date.parse(r.startedAt))) - Date.parse(report.startedAt);
const head = ["", "runs", "wall median", "wall min-max", "engine median", "connect+facts", "own overhead", "pairs", "changed"];
const rows = [];
for (const [kind, label] of [
  ["cold", "cold apply (fresh lab)"],
  ["base", "no-op re-apply, BASELINE"],
  ["noop", "no-op re-apply"],
]) {
  const rs = runs(kind);
  if (rs.length === 0) continue;
  const walls = rs.map((r) => r.wall);
  rows.push([
    label,
    String(rs.length),
    ms(median(walls)),
    `${ms(minMax(walls).min)}-${ms(minMax(walls).max)}`,
    ms(median(rs.map((r) => r.report.durationMs))),
    ms(median(rs.map((r) => connect(r.report)))),
    kind === "cold" ? ms(median(rs.map((r) => r.wall - external(r.report)))) : "",
    String(rs[0].report.pairs),
    rs.map((r) => r.report.results.filter((x) => x.status === "changed").length).join("/"),
  ]);
}
const load = (f) => fs.readFileSync(`${dir}/${f}`, "utf8").trim();
console.log(`ksorch apply on lab ${lab}; load average ${load("load-start")} at the start, ${load("load-end")} at the end`);
console.log(table(head, rows));
if (runs("cold").length > 0)
  console.log("own overhead: wall time minus package installation, tree copy, heartbeat start and the VIP wait");
JS
