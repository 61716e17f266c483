// What a failed SSH connection says: one sentence naming the host, what failed and what to
// check, never a bare errno.
import type { HostKeyVerdict } from "./known-hosts.js";
import type { SshTarget } from "./ssh.js";

/** A connection error as a sentence: what failed and what to check. */
export function connectFailure(
  err: Error & { code?: string },
  name: string,
  timeoutMs: number,
): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return `${name} refused the connection: nothing listens on that port (is sshd running, is ssh.port right?)`;
    case "ETIMEDOUT":
      return `no answer from ${name} within ${timeoutMs / 1000} s (host down, address wrong, or a firewall drops the packets)`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${name} cannot be reached: no route to it (${err.code})`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host name of ${name} does not resolve (${err.code})`;
    case "ECONNRESET":
      return `${name} closed the connection during the handshake (sshd's MaxStartups, or a TCP wrapper refused us)`;
    default:
      return `cannot connect to ${name}: ${err.code ?? err.message}`;
  }
}

export function hostKeyMessage(
  verdict: HostKeyVerdict,
  target: SshTarget,
  name: string,
  keyType: string,
): string {
  const file = target.knownHosts ?? "(no known_hosts file configured)";
  switch (verdict) {
    case "unknown":
      return `host key of ${name} (${keyType}) is not in ${file}; verify it and add it, or rerun with --accept-new-host-keys to trust it on first use`;
    case "changed":
      return `host key of ${name} has CHANGED (now ${keyType}); this may be an attack. If the server was rebuilt, remove its line from ${file} (ssh-keygen -R '${name}' -f ${file}) and connect again`;
    case "revoked":
      return `host key of ${name} is marked @revoked in ${file}`;
    case "match":
      return "host key matched";
  }
}
