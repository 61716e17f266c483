// Booting a lab server: init, first-boot setup (hostname, hosts, network, authorized key),
// the boot sequence of a Debian server (its own host keys, sshd, enabled services), and the
// loopback port that publishes its sshd.
import { readFile } from "node:fs/promises";
import { bootHost, runInHostOk } from "./host.js";
import { labPaths } from "./paths.js";
import { publishSsh } from "./ssh.js";
import type { ServerRuntime } from "./state.js";
import type { LabPlan, LabServer } from "./topology.js";

// What a Debian server does when it boots, minus the parts that would reach outside its
// namespaces (hwclock, rcS's `sysctl --system`, modules):
// - first boot of this disk only: hostname, /etc/hosts, the installer's /etc/network/interfaces
//   with the LAN address, root's authorized key (stdin);
// - every boot: tmpfiles' /run directories, the net.* keys of /etc/sysctl.d (they are per
//   network namespace; other keys would change the whole machine), static addresses of
//   /etc/network/interfaces{,.d/*} (what ifupdown would do), fresh host keys if missing, then
//   runlevel 2's start scripts, so enabled services come back after a power cycle.
// $1: 1 on the first boot; $2: host name; $3: /etc/hosts; $4: LAN address/prefix.
const BOOT_SCRIPT = String.raw`
set -e
if [ "$1" = 1 ]; then
  echo "$2" > /etc/hostname
  printf '%s\n' "$3" > /etc/hosts
  mkdir -p /etc/network/interfaces.d
  printf 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet static\n    address %s\n' "$4" > /etc/network/interfaces
  mkdir -p -m 700 /root/.ssh
  cat > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
exec 3>>/var/log/ksorch-boot.log
cat /usr/lib/tmpfiles.d/*.conf /etc/tmpfiles.d/*.conf 2>/dev/null |
  awk '$1 == "d" && $2 ~ "^/(var/)?run/" { print $2, $3, $4, $5 }' |
  while read -r path mode user group; do
    mkdir -p "$path"
    [ "$mode" = - ] || chmod "$mode" "$path"
    [ "$user" = - ] || chown "$user:$group" "$path" 2>&3 || true
  done
cat /etc/sysctl.d/*.conf 2>/dev/null | tr -d ' \t' | grep '^net\.' |
  while IFS== read -r key value; do sysctl -q -w "$key=$value" >&3 2>&3 || true; done
cat /etc/network/interfaces /etc/network/interfaces.d/* 2>/dev/null |
  awk '$1 == "iface" { nic = $2; static = ($4 == "static") } $1 == "address" && static { print nic, $2 }' |
  while read -r nic address; do
    ip link set "$nic" up
    ip addr replace "$address" dev "$nic"
  done
ssh-keygen -A >&3
for script in /etc/rc2.d/S*; do
  [ -x "$script" ] && "$script" start >&3 2>&3 </dev/null || echo "boot: $script failed" >&3
done
pidof sshd >/dev/null || /usr/sbin/sshd
cat /etc/ssh/ssh_host_ed25519_key.pub
`;

export function etcHosts(plan: LabPlan): string {
  const lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"];
  for (const s of plan.servers) lines.push(`${s.lan.split("/")[0]} ${s.name}`);
  return lines.join("\n");
}

export interface StartedServer {
  runtime: Required<Pick<ServerRuntime, "initPid">>;
  /** `ssh-ed25519 AAAA... root@host` */
  hostKey: string;
}

/** Boots the server's init and sshd (no socat: those survive a power cycle). */
export async function startServer(plan: LabPlan, s: LabServer): Promise<StartedServer> {
  const { initPid, firstBoot } = await bootHost(plan.name, s.name, s.netns);
  const pub = await readFile(`${labPaths(plan.name).key}.pub`, "utf8");
  const r = await runInHostOk(
    initPid,
    ["sh", "-c", BOOT_SCRIPT, "boot", firstBoot ? "1" : "0", s.name, etcHosts(plan), s.lan],
    // Bounded: a service start script that hangs must not hang `lab up` or a power-on.
    { input: pub, timeoutMs: 120_000 },
  );
  return { runtime: { initPid }, hostKey: r.stdout.trim() };
}

export async function startServerWithSsh(
  plan: LabPlan,
  s: LabServer,
): Promise<{
  runtime: ServerRuntime;
  hostKey: string;
}> {
  const started = await startServer(plan, s);
  const pub = await publishSsh(plan.name, s.name, s.netns, s.sshPort);
  return {
    runtime: { ...started.runtime, innerSocatPid: pub.innerPid, outerSocatPid: pub.outerPid },
    hostKey: started.hostKey,
  };
}
