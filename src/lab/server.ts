// Booting a lab server: init, first-boot setup (hostname, hosts, authorized key), its own
// fresh host keys, sshd, and the loopback port that publishes it.
import { readFile } from "node:fs/promises";
import { bootHost, runInHostOk } from "./host.js";
import { labPaths } from "./paths.js";
import { publishSsh } from "./ssh.js";
import type { ServerRuntime } from "./state.js";
import type { LabPlan, LabServer } from "./topology.js";

// $1: 1 on the first boot of this disk; $2: host name; $3: /etc/hosts; stdin: authorized key.
// ssh-keygen -A only creates missing keys: they are made on the first boot and then kept.
const SETUP_SCRIPT = String.raw`
set -e
if [ "$1" = 1 ]; then
  echo "$2" > /etc/hostname
  printf '%s\n' "$3" > /etc/hosts
  mkdir -p -m 700 /root/.ssh
  cat > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
ssh-keygen -A >/dev/null
/usr/sbin/sshd
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
    ["sh", "-c", SETUP_SCRIPT, "setup", firstBoot ? "1" : "0", s.name, etcHosts(plan)],
    { input: pub },
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
