#!/usr/bin/env bash
# Benchmark of `ksorch apply` on a lab of its own (not a timed test): the median of 3 cold
# applies, each on a freshly built lab, and of 3 no-op re-applies, with the number of task-host
# pairs. For the cold applies it also reports ksorch's own overhead: the wall time minus the
# package installation, the tree copy, heartbeat's start and the wait for the VIPs (the slowest
# host's time for each). Needs root and a built CLI (npm run build).
#   bash bench/apply.sh            # LAB=benchlab RUNS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${LAB:-benchlab}
RUNS=${RUNS:-3}
OUT=$(mktemp -d)
export KSORCH_SECRETS_DIR=${KSORCH_SECRETS_DIR:-$OUT/secrets}
ksorch() { node dist/cli/main.js "$@"; }
INV=/var/lib/ksorch/labs/$LAB/inventory.yaml

# Wall time of one apply, in ms, its JSON report kept in $OUT/$1.json.
timed_apply() {
  local t0 t1
  t0=$(date +%s%N)
  ksorch apply "$INV" --json >"$OUT/$1.json" 2>"$OUT/$1.log" || { cat "$OUT/$1.log" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >"$OUT/$1.wall"
}

for i in $(seq "$RUNS"); do
  ksorch lab down --name "$LAB" >/dev/null 2>&1
  ksorch lab up --name "$LAB" >/dev/null 2>&1
  timed_apply "cold-$i"
done
for i in $(seq "$RUNS"); do timed_apply "noop-$i"; done
ksorch lab down --name "$LAB" >/dev/null 2>&1

node - "$OUT" "$RUNS" <<'JS'
const fs = require("fs");
const [dir, runs] = [process.argv[2], Number(process.argv[3])];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = (kind) =>
  Array.from({ length: runs }, (_, i) => ({
    wall: Number(fs.readFileSync(`${dir}/${kind}-${i + 1}.wall`, "utf8")),
    report: JSON.parse(fs.readFileSync(`${dir}/${kind}-${i + 1}.json`, "utf8")),
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
for (const kind of ["cold", "noop"]) {
  const rs = load(kind);
  const changed = rs.map((r) => r.report.results.filter((x) => x.status === "changed").length);
  const line = [
    `${kind.padEnd(5)} wall median ${median(rs.map((r) => r.wall))} ms (${rs.map((r) => r.wall).join(", ")})`,
    `engine median ${Math.round(median(rs.map((r) => r.report.durationMs)))} ms`,
    `${rs[0].report.pairs} task-host pairs`,
    `changed ${changed.join("/")}`,
  ];
  if (kind === "cold") line.push(`own overhead median ${Math.round(median(rs.map((r) => r.wall - external(r.report))))} ms`);
  console.log(line.join(", "));
}
JS
rm -rf "$OUT"
