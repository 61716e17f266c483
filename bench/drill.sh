#!/usr/bin/env bash
# Benchmark of `ksorch drill failover` on a lab of its own (not a timed test): RUNS drills per
# fault mode while the lab's eight clients install, and per mode the median of the takeover
# (fault -> VIP on the survivor, from the servers' own records), the first gratuitous ARP, the
# first answer to a client, the takeover as the HA log states it (heartbeat: whole seconds), the
# number of passing verdicts, side by side with the paper's ~4 s (read from heartbeat's log
# after `service heartbeat stop`). Needs root and a built CLI (npm run build).
#   bash bench/drill.sh            # LAB=drillbench RUNS=5 MODES="stop crash poweroff link"
#   INVENTORY=inventory/lab3.yaml LAB=drillbench3 bash bench/drill.sh   # keepalived, 3 servers
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${LAB:-drillbench}
RUNS=${RUNS:-5}
MODES=${MODES:-stop crash poweroff link}
INVENTORY=${INVENTORY:-inventory/lab.yaml}
OUT=$(mktemp -d)
export KSORCH_SECRETS_DIR=${KSORCH_SECRETS_DIR:-$OUT/secrets}
ksorch() { node dist/cli/main.js "$@"; }
INV=/var/lib/ksorch/labs/$LAB/inventory.yaml

ksorch lab down --name "$LAB" >/dev/null 2>&1 || true
ksorch lab up --name "$LAB" --inventory "$INVENTORY" >/dev/null
# apply is idempotent: a second run finishes what a transient SSH failure interrupted.
ksorch apply "$INV" >"$OUT/apply.log" 2>&1 || ksorch apply "$INV" >"$OUT/apply.log" 2>&1 ||
  { tail -20 "$OUT/apply.log" >&2; exit 1; }
for mode in $MODES; do
  for i in $(seq "$RUNS"); do
    # A failed verdict exits 1 and is data here, not an error.
    ksorch drill failover "$INV" --yes --json --mode "$mode" >"$OUT/$mode-$i.json" 2>"$OUT/$mode-$i.log" || true
    echo "drill $mode $i/$RUNS done" >&2
  done
done
ksorch lab down --name "$LAB" >/dev/null 2>&1

node - "$OUT" "$RUNS" $MODES <<'JS'
const fs = require("fs");
const [dir, runs, ...modes] = [process.argv[2], Number(process.argv[3]), ...process.argv.slice(4)];
const median = (xs) => {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length === 0 ? undefined : v[Math.floor((v.length - 1) / 2)];
};
const s = (ms) => (ms === undefined ? "none" : `${(ms / 1000).toFixed(3)} s`);
console.log(`engine: ${JSON.parse(fs.readFileSync(`${dir}/${modes[0]}-1.json`, "utf8")).setup.engine}`);
console.log(`| mode | takeover (median of ${runs}) | min-max | gratuitous ARP | first answer | HA log | passed | paper |`);
console.log("|---|---|---|---|---|---|---|---|");
for (const mode of modes) {
  const results = [];
  for (let i = 1; i <= runs; i++) {
    try {
      results.push(JSON.parse(fs.readFileSync(`${dir}/${mode}-${i}.json`, "utf8")));
    } catch {
      console.error(`${mode} run ${i}: no result, see ${dir}/${mode}-${i}.log`);
    }
  }
  const t = results.map((r) => r.measurements.takeovers[0] ?? {});
  const moved = t.map((x) => x.onSurvivorMs).filter((x) => x !== undefined);
  const range = moved.length ? `${s(Math.min(...moved))}-${s(Math.max(...moved))}` : "none";
  const log = median(results.map((r) => r.measurements.haLogTakeoverS));
  const passed = results.filter((r) => r.verdict.pass).length;
  console.log(
    `| ${mode} | ${s(median(moved))} | ${range} | ${s(median(t.map((x) => x.firstGarpMs)))} | ` +
      `${s(median(t.map((x) => x.firstAnswerMs)))} | ${log === undefined ? "none" : `${log} s`} | ` +
      `${passed}/${results.length} | ~4 s (stop) |`,
  );
}
console.log(`\nraw results: ${dir}`);
JS
