#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for ksorch: the Debian packages the lab and the
# tests use, the npm dependencies and the build. Safe to run again: it installs only what is
# missing and `npm ci` is reproducible from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# debootstrap builds the lab image; socat publishes each lab server's sshd on a loopback port;
# iproute2 makes the namespaces; isc-dhcp-server gives `dhcpd -t` to check rendered configs;
# tcpdump, busybox (udhcpc), curl and tftp-hpa serve the emulated install clients; QEMU with
# iPXE ROMs is a real PXE PC on the lab's LAN, and with OVMF a real x64 UEFI one. The
# benchmarks (npm run bench) compare with Ansible (with Mitogen where it loads) and rsync, and
# measure with GNU time.
packages=(debootstrap socat iproute2 iptables isc-dhcp-server tcpdump busybox curl tftp-hpa
  openssh-client ca-certificates qemu-system-x86 ipxe-qemu keepalived ovmf
  ansible ansible-mitogen rsync time)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  # policy-rc.d keeps the packages' init scripts from starting daemons on this machine:
  # ksorch only runs them inside the lab's namespaces.
  policy=/usr/sbin/policy-rc.d
  restore_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && restore_policy=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if $restore_policy; then rm -f "$policy"; fi
fi

node -e 'const [M] = process.versions.node.split(".").map(Number); if (M < 20) { console.error(`ksorch needs Node 20 or later, found ${process.versions.node}`); process.exit(1); }'
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
# The lab's Debian image and install tree: built once (about a minute), then reused.
node dist/cli/main.js lab image
