// SSH into lab servers from the root namespace: the lab's key pair, a known_hosts file with
// each server's own host key, and sshd published on a loopback port by two socats joined by
// a unix socket (a file both namespaces can see), so no address is added to the root netns.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { TaskError } from "../errors.js";
import { waitFor } from "../poll.js";
import { labPaths } from "./paths.js";
import { runOk, spawnDetached } from "./run.js";

export async function ensureKeyPair(lab: string): Promise<string> {
  const p = labPaths(lab);
  await mkdir(p.sshDir, { recursive: true, mode: 0o700 });
  if (!existsSync(p.key))
    await runOk([
      "ssh-keygen",
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      `ksorch-${lab}`,
      "-f",
      p.key,
    ]);
  return p.key;
}

/** `[127.0.0.1]:2201 ssh-ed25519 AAAA...` from a host's `ssh_host_ed25519_key.pub`. */
export function knownHostsLine(port: number, hostPub: string): string {
  const [type, key] = hostPub.trim().split(/\s+/);
  if (!type || !key) throw new TaskError(`unexpected host key: ${hostPub.slice(0, 60)}`);
  return `[127.0.0.1]:${port} ${type} ${key}`;
}

export async function writeKnownHosts(lab: string, lines: string[]): Promise<void> {
  await writeFile(labPaths(lab).knownHosts, lines.join("\n") + "\n");
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

export interface Published {
  innerPid: number;
  outerPid: number;
}

/** Publishes the sshd of the host in `netns` on 127.0.0.1:`port`; waits until it listens. */
export async function publishSsh(
  lab: string,
  host: string,
  netns: string,
  port: number,
): Promise<Published> {
  const { runDir } = labPaths(lab);
  await mkdir(runDir, { recursive: true });
  const sock = join(runDir, `${host}.ssh.sock`);
  const log = join(runDir, `${host}.socat.log`);
  const innerPid = await spawnDetached(
    [
      "nsenter",
      `--net=/run/netns/${netns}`,
      "socat",
      `UNIX-LISTEN:${sock},fork,unlink-early`,
      // nodelay: SSH commands are small request/answer exchanges; with Nagle's algorithm each
      // one waits ~40 ms for a delayed ACK (33 ms vs 3.5 ms per command, measured).
      "TCP:127.0.0.1:22,nodelay",
    ],
    log,
  );
  const outerPid = await spawnDetached(
    ["socat", `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay`, `UNIX-CONNECT:${sock}`],
    log,
  );
  await waitFor(
    async () => existsSync(sock) && (await canConnect(port)),
    15_000,
    `${host}: sshd not published on port ${port}`,
    10,
  );
  return { innerPid, outerPid };
}
