#!/usr/bin/env bash
# Boots real PXE firmware on a lab's LAN: a QEMU PC (TCG, SeaBIOS + iPXE, e1000 NIC) plugged
# into the lab's LAN bridge through a tap in the lab's switch namespace. It DHCPs, fetches
# pxelinux over TFTP, then the kernel and initrd of its pxelinux config, and boots them. The
# serial console goes to stdout; the script stops the VM once the line `until` appears.
# Needs qemu-system-x86 and ipxe-qemu. The kernel command line must have console=ttyS0.
# FIRMWARE=uefi boots x64 UEFI firmware instead (OVMF, package ovmf; 1 GB of guest memory):
# it sends DHCP option 93 = 7 and gets GRUB's network image, which reads its grub.cfg files.
# FIRMWARE=secureboot is OVMF with Secure Boot on and Microsoft's keys enrolled (the CA that
# signs shim): SMM-protected variable store, and OVMF's own PXE on a virtio NIC, because it
# refuses to run iPXE's unsigned option ROM.
# RATE_MBIT=N shapes what the VM receives to N Mbit/s (so a transfer lasts long enough for a
# fault to land in it); REBOOT=1 lets the VM reboot (a boot loader's fatal error resets the PC,
# which boots from the network again) instead of stopping it.
# usage: [FIRMWARE=bios|uefi|secureboot] [RATE_MBIT=N] [REBOOT=1] scripts/lab-pxe-vm.sh LAB MAC
#        [UNTIL] [SECONDS]
set -euo pipefail
lab=$1
mac=$2
until=${3:-"ksorch lab installer"}
seconds=${4:-120}
sw="$lab.switch"
tap=vm$$
tap=${tap:0:15}
log=$(mktemp /tmp/ksorch-pxe-vm.XXXXXX)
vars=
firmware=(-machine pc -m 256 -boot n)
nic=e1000
case ${FIRMWARE:-bios} in
uefi | secureboot)
  # OVMF keeps its settings in a writable copy of the variable store, thrown away afterwards.
  code=/usr/share/OVMF/OVMF_CODE_4M.fd store=/usr/share/OVMF/OVMF_VARS_4M.fd machine=q35
  secure=()
  if [[ $FIRMWARE == secureboot ]]; then
    code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd store=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
    machine=q35,smm=on secure=(-global driver=cfi.pflash01,property=secure,value=on)
    nic=virtio-net-pci,romfile=
  fi
  vars=$(mktemp /tmp/ksorch-ovmf-vars.XXXXXX)
  cp "$store" "$vars"
  firmware=(-machine "$machine" "${secure[@]}" -m 1024
    -drive "if=pflash,format=raw,readonly=on,file=$code"
    -drive "if=pflash,format=raw,file=$vars")
  ;;
esac

ip -n "$sw" tuntap add dev "$tap" mode tap
ip -n "$sw" link set "$tap" master lan0 up
if [[ -n ${RATE_MBIT:-} ]]; then
  ip netns exec "$sw" tc qdisc add dev "$tap" root tbf rate "${RATE_MBIT}mbit" burst 32k latency 400ms
fi
reboot=(-no-reboot)
[[ ${REBOOT:-} == 1 ]] && reboot=()
vm=
cleanup() {
  [[ -n $vm ]] && kill "$vm" 2>/dev/null && wait "$vm" 2>/dev/null
  ip -n "$sw" link del "$tap" 2>/dev/null || true
  rm -f "$log" ${vars:+"$vars"}
}
trap cleanup EXIT

nsenter --net="/run/netns/$sw" qemu-system-x86_64 "${firmware[@]}" -nographic "${reboot[@]}" \
  -netdev "tap,id=lan,ifname=$tap,script=no,downscript=no" \
  -device "$nic,netdev=lan,mac=$mac,bootindex=1" >"$log" 2>&1 </dev/null &
vm=$!

found=1
for ((i = 0; i < seconds * 5; i++)); do
  if grep -q -- "$until" "$log"; then found=0; break; fi
  kill -0 "$vm" 2>/dev/null || break
  sleep 0.2
done
tr -d '\r' <"$log" | grep -v '^\s*$' || true
exit $found
