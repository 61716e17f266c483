#!/usr/bin/env bash
# ksorch against Ansible on the same lab, in one run (a benchmark, not a test): for each tool a
# cold apply on a freshly created lab, then NOOPS no-op re-applies; medians, min-max and the
# 1-minute load average at each run's start, as one markdown table on stdout. After each cold
# apply the cluster must be healthy (`ksorch status --json`: each VIP on its one owner, dhcpd on
# exactly one server, tftpd, vsftpd and heartbeat on all), and after Ansible's, `ksorch apply
# --check` must find nothing to change: both tools leave the same state.
# Installs Ansible from Debian when missing; needs root and a built CLI (npm run build).
#   bash bench/ansible/run.sh                 # LAB=ansbench NOOPS=5 DEFAULT_CFG=1
#   DEFAULT_CFG=0 bash bench/ansible/run.sh   # without the no-op runs in Ansible's defaults
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
LAB=${LAB:-ansbench}
NOOPS=${NOOPS:-5}
DEFAULT_CFG=${DEFAULT_CFG:-1}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export KSORCH_SECRETS_DIR=$OUT/secrets # one set of secrets: both tools install the same files
INV=/var/lib/ksorch/labs/$LAB/inventory.yaml
ksorch() { node dist/cli/main.js "$@"; }
say() { echo "$*" >&2; }

if ! command -v ansible-playbook >/dev/null || ! command -v rsync >/dev/null; then
  say "installing ansible and rsync from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends ansible rsync >/dev/null
fi

fresh_lab() {
  ksorch lab down --name "$LAB" >/dev/null 2>&1
  ksorch lab up --name "$LAB" >/dev/null
}

# timed NAME CMD...: CMD's stdout in $OUT/NAME.out, its wall time (ms) in NAME.wall, the load
# average when it started in NAME.load, and this shell's children's CPU times (`times`, second
# line: user and system) before and after in NAME.cpu: the CPU CMD used on this machine, which
# the load moves less than the wall time. `times` without a pipe: a subshell would count nothing.
timed() {
  local name=$1 t0 t1
  shift
  cut -d' ' -f1 /proc/loadavg >"$OUT/$name.load"
  times >"$OUT/$name.cpu"
  t0=$(date +%s%N)
  "$@" >"$OUT/$name.out" 2>"$OUT/$name.log" || { tail -30 "$OUT/$name.log" "$OUT/$name.out" >&2; exit 1; }
  t1=$(date +%s%N)
  times >>"$OUT/$name.cpu"
  echo $(((t1 - t0) / 1000000)) >"$OUT/$name.wall"
  say "$name: $(cat "$OUT/$name.wall") ms"
}

# The cluster after a cold apply: every VIP on its home server only, dhcpd on one server,
# tftpd, vsftpd and the HA engine on all.
check_state() {
  ksorch status "$INV" --json | node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const bad = [
      ...s.vips.filter((v) => v.owners.length !== 1 || v.owners[0] !== v.home).map((v) => `${v.vip} on [${v.owners}]`),
      ...s.servers.filter((x) => !(x.running.tftp && x.running.ftp && x.running.ha)).map((x) => `${x.name} services ${JSON.stringify(x.running)}`),
      ...(s.dhcp.length === 1 ? [] : [`dhcpd on [${s.dhcp}]`]),
      ...s.problems,
    ];
    if (bad.length) { console.error(`'"$1"': ${bad.join("; ")}`); process.exit(1); }'
  say "$1: healthy (each VIP on its owner, dhcpd on one server, services running)"
}

playbook() { # playbook CONFIG: one run of site.yml, JSON report on stdout
  ANSIBLE_CONFIG=$HERE/$1 ANSIBLE_SSH_CONTROL_PATH_DIR=$OUT/cp-$1 \
    ansible-playbook -i "$OUT/hosts.yml" "$HERE/site.yml"
}

say "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# ksorch
fresh_lab
timed ksorch-cold ksorch apply "$INV" --json
check_state ksorch-cold
for i in $(seq "$NOOPS"); do timed "ksorch-noop-$i" ksorch apply "$INV" --json; done

# Ansible, on a fresh lab with python3 (and rsync) added offline
fresh_lab
timed ansible-prereq bash "$HERE/python.sh" "$INV"
ksorch render "$INV" --out "$OUT/render" >/dev/null
node "$HERE/inventory.mjs" "$INV" "$OUT/render" >"$OUT/hosts.yml"
timed ansible-cold playbook ansible.cfg
check_state ansible-cold
ksorch apply "$INV" --check --json >"$OUT/ansible-check.json" 2>/dev/null
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const c = r.results.filter((x) => x.status !== "ok" && x.status !== "skipped");
  if (c.length) { console.error("ksorch --check after Ansible:", c.map((x) => `${x.host}: ${x.task} ${x.status}`).join("; ")); process.exit(1); }' \
  "$OUT/ansible-check.json"
say "ansible-cold: ksorch apply --check finds nothing to change"
for i in $(seq "$NOOPS"); do timed "ansible-noop-$i" playbook ansible.cfg; done
if [[ $DEFAULT_CFG == 1 ]]; then
  for i in $(seq "$NOOPS"); do timed "ansdefault-noop-$i" playbook ansible-default.cfg; done
fi
ksorch lab down --name "$LAB" >/dev/null 2>&1

node "$HERE/table.mjs" "$OUT"
