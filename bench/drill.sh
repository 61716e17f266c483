#!/usr/bin/env bash
# Benchmark of `ksorch drill failover` (not a timed test): every fault mode, RUNS times, on a
# fresh lab per inventory (heartbeat on 2 servers, keepalived on 3), while the lab's clients
# install. One table: per engine and mode, the median and min-max of the takeover (fault -> VIP
# on the survivor, from the servers' own records), the first gratuitous ARP and the first
# answer to a client (both from the fault), the time two servers owned a VIP, and the passing
# verdicts. Needs root and a built CLI (npm run build).
#   bash bench/drill.sh                       # RUNS=5, both inventories, every mode
#   RUNS=1 MODES="stop crash" INVENTORIES=inventory/lab.yaml bash bench/drill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
MODES=${MODES:-stop crash poweroff link link:drop crossover crossover:drop freeze}
INVENTORIES=${INVENTORIES:-inventory/lab.yaml inventory/lab3.yaml}
OUT=$(mktemp -d)
export KSORCH_SECRETS_DIR=${KSORCH_SECRETS_DIR:-$OUT/secrets}
ksorch() { node dist/cli/main.js "$@"; }

for inventory in $INVENTORIES; do
  lab=bench$(basename "$inventory" .yaml | tr -cd 'a-z0-9' | cut -c1-7)
  inv=/var/lib/ksorch/labs/$lab/inventory.yaml
  ksorch lab down --name "$lab" >/dev/null 2>&1 || true
  ksorch lab up --name "$lab" --inventory "$inventory" >/dev/null
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
  ksorch lab down --name "$lab" >/dev/null 2>&1
done

node - "$OUT" $MODES <<'JS'
const fs = require("fs");
const [dir, ...order] = process.argv.slice(2);
const runs = new Map();
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const m = /^(.+)-([a-z]+(?::[a-z]+)?)-(\d+)\.json$/.exec(f);
  if (!m) continue;
  let r;
  try {
    r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
  } catch {
    console.error(`${f}: no result, see ${f.replace(/json$/, "log")}`);
    continue;
  }
  const loadFile = `${dir}/${f.replace(/json$/, "load")}`;
  if (fs.existsSync(loadFile)) r.load = Number(fs.readFileSync(loadFile, "utf8").trim());
  const key = `${r.setup.engine}, ${r.setup.vips.length} servers|${m[2]}`;
  runs.set(key, [...(runs.get(key) ?? []), r]);
}
const median = (xs) => {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length === 0 ? undefined : v[Math.floor((v.length - 1) / 2)];
};
const s = (ms) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);
const cell = (xs) => {
  const v = xs.filter((x) => x !== undefined);
  if (v.length === 0) return "none";
  return `${s(median(v))} (${s(Math.min(...v))}-${s(Math.max(...v))})`;
};
console.log(
  "| engine | mode | takeover | first gratuitous ARP | first answer to a client | two owners | passed | load |",
);
console.log("|---|---|---|---|---|---|---|---|");
const rank = (key) => order.indexOf(key.split("|")[1]);
const keys = [...runs.keys()].sort((a, b) => a.split("|")[0].localeCompare(b.split("|")[0]) || rank(a) - rank(b));
for (const key of keys) {
  const results = runs.get(key);
  const [engine, mode] = key.split("|");
  const t = results.map((r) => r.measurements.takeovers[0] ?? {});
  const double = results.map((r) =>
    r.measurements.doubleOwnership.reduce((sum, d) => sum + d.durationMs, 0),
  );
  const fenced = mode === "freeze" ? (results[0].setup.fencing ? ", fenced" : ", no fencing") : "";
  const nothingMoved = mode.startsWith("crossover") && t.every((x) => x.survivor === undefined);
  console.log(
    `| ${engine} | ${mode.replace(":", " ")}${fenced} | ${nothingMoved ? "none (nothing may move)" : cell(t.map((x) => x.onSurvivorMs))} | ` +
      `${cell(t.map((x) => x.firstGarpMs))} | ${cell(t.map((x) => x.firstAnswerMs))} | ` +
      `${s(median(double))} (max ${s(Math.max(...double))}) | ` +
      `${results.filter((r) => r.verdict.pass).length}/${results.length} | ` +
      `${median(results.map((r) => r.load)) ?? "-"} |`,
  );
}
console.log(`\nraw results: ${dir}`);
JS
