#!/usr/bin/env bash
# Benchmark of `ksorch drill failover` (not a timed test): every fault mode, RUNS times, on a
# fresh lab per inventory (heartbeat on 2 servers, keepalived on 3), while the lab's clients
# install. One table: per engine and mode, the median and min-max of the takeover (fault -> VIP
# on the survivor, from the servers' own records), the first gratuitous ARP and the first
# answer to a client (both from the fault), the time two servers owned a VIP, and the passing
# verdicts. Needs root and a built CLI (npm run build).
#   bash bench/drill.sh                       # RUNS=5, both inventories, every mode
#   RUNS=1 MODES="stop crash" INVENTORIES=inventory/lab.yaml bash bench/drill.sh
#   INVENTORIES="inventory/lab.yaml=mylab" bash bench/drill.sh
#                                   # FILE=LAB: drill lab LAB as it is (up and applied: kept)
# OUT=DIR keeps the raw results (DIR/LAB-MODE-RUN.json) there, for bench/bench.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
MODES=${MODES:-stop crash poweroff link link:drop crossover crossover:drop freeze}
INVENTORIES=${INVENTORIES:-inventory/lab.yaml inventory/lab3.yaml}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
export KSORCH_SECRETS_DIR=${KSORCH_SECRETS_DIR:-$OUT/secrets}
ksorch() { node dist/cli/main.js "$@"; }

for entry in $INVENTORIES; do
  inventory=${entry%%=*}
  lab=bench$(basename "$inventory" .yaml | tr -cd 'a-z0-9' | cut -c1-7)
  keep=0
  [[ $entry == *=* ]] && lab=${entry#*=} && keep=1
  inv=/var/lib/ksorch/labs/$lab/inventory.yaml
  if [[ $keep == 0 ]]; then
    ksorch lab down --name "$lab" >/dev/null 2>&1 || true
    ksorch lab up --name "$lab" --inventory "$inventory" >/dev/null
  fi
  # apply is idempotent: a second run finishes what a transient SSH failure interrupted.
  ksorch apply "$inv" >"$OUT/$lab-apply.log" 2>&1 || ksorch apply "$inv" >"$OUT/$lab-apply.log" 2>&1 ||
    { tail -20 "$OUT/$lab-apply.log" >&2; exit 1; }
  for mode in $MODES; do
    args=(--mode "${mode%%:*}")
    [[ $mode == *:* ]] && args+=(--link-fault "${mode#*:}")
    for i in $(seq "$RUNS"); do
      # The machine's load when the drill starts: these figures move with it.
      cut -d' ' -f1 /proc/loadavg >"$OUT/$lab-$mode-$i.load"
      # A failed verdict exits 1 and is data here, not an error.
      ksorch drill failover "$inv" --yes --json "${args[@]}" >"$OUT/$lab-$mode-$i.json" 2>"$OUT/$lab-$mode-$i.log" || true
      echo "$lab: drill $mode $i/$RUNS done" >&2
    done
  done
  [[ $keep == 1 ]] || ksorch lab down --name "$lab" >/dev/null 2>&1
done

node bench/drill-table.mjs "$OUT" $MODES
