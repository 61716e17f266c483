#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for ksorch: the Debian packages the lab and the
# tests use, the npm dependencies, the build, the lab's image. Safe to run again: it installs
# only what is missing and `npm ci` is reproducible from package-lock.json.
# One line per step on the terminal; everything the tools print goes to the log file below,
# whose last lines are shown, with its name, when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# One package per line, so that additions merge cleanly.
packages=(
  debootstrap     # builds the lab image
  socat           # publishes each lab server's sshd on a loopback port
  iproute2        # the namespaces, veths and bridges of the lab
  iptables        # the drill's "drop" link fault
  isc-dhcp-server # `dhcpd -t` checks rendered configs
  tcpdump         # the drill watches the survivors' LAN
  busybox         # udhcpc for the emulated install clients
  curl            # the clients' tree download
  tftp-hpa        # the clients' TFTP
  openssh-client
  ca-certificates
  qemu-system-x86 # a real PXE PC on the lab's LAN (scripts/lab-pxe-vm.sh)
  ipxe-qemu       # its PXE ROMs
  ovmf            # its UEFI firmware
  keepalived      # `keepalived -t` checks rendered configs
  chromium        # renders the drill report in its test (test/drill/report-browser.test.ts)
  kea-dhcp4-server # `kea-dhcp4 -t` (with the HA hook library it opens) checks rendered configs
  rpm             # rpmbuild: the install tree is a real RPM repository
  createrepo-c    # its repodata/
  dnf             # dnf 4 with librepo (RHEL 9's installer payload): each lab client's packages
  ansible         # npm run bench compares with Ansible,
  ansible-mitogen # with Mitogen where it loads,
  rsync           # and with plain rsync for the tree copy
  time            # GNU time: CPU time and peak memory of each benchmarked command
)

mkdir -p reports
log=$PWD/reports/setup.log
: >"$log"
started=$SECONDS

# step TITLE COMMAND...: runs COMMAND with its output in the log, prints one line.
step() {
  local title=$1 t0=$SECONDS
  shift
  printf 'setup: %s ... ' "$title"
  echo "== $title: $*" >>"$log"
  if "$@" >>"$log" 2>&1; then
    echo "ok ($((SECONDS - t0)) s)"
  else
    local rc=$?
    echo "FAILED (exit $rc)"
    echo "setup: the last lines of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
    echo "setup: the whole output of every step is in $log" >&2
    exit "$rc"
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

install_packages() {
  apt-get update -q
  # policy-rc.d keeps the packages' init scripts from starting daemons on this machine:
  # ksorch only runs them inside the lab's namespaces.
  local policy=/usr/sbin/policy-rc.d restore=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && restore=true
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" || rc=$?
  if $restore; then rm -f "$policy"; fi
  return "$rc"
}

node_version() {
  node -e 'const [M] = process.versions.node.split(".").map(Number); if (M < 20) { console.error(`ksorch needs Node 20 or later, found ${process.versions.node}`); process.exit(1); }'
}

if ((${#missing[@]})); then
  step "Debian packages (${#missing[@]} to install)" install_packages "${missing[@]}"
else
  echo "setup: Debian packages ... ok (all ${#packages[@]} installed)"
fi
step "Node 20 or later" node_version
step "npm packages (npm ci)" npm ci --no-audit --no-fund
step "build (npm run build)" npm run build
# The lab's Debian image and install tree: built once (about a minute), then reused.
step "lab image and install tree (the first time: a minute or two)" node dist/cli/main.js lab image
echo "setup: done in $((SECONDS - started)) s (log: $log)"
