// SshTransport: one ssh2 connection per host, opened once and reused for every command (a new
// connection costs ~140-210 ms, a command on an open one ~9 ms). Host keys are checked against
// known_hosts before authentication; nothing is auto-accepted unless the user asked for it.
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import pLimit from "p-limit";
import ssh2, { type Client as SshClient, type ClientChannel, type ConnectConfig } from "ssh2";
import { ConnectError } from "../errors.js";
import type { Server } from "../inventory/types.js";
import {
  appendKnownHost,
  hostPattern,
  readKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from "./known-hosts.js";
import { sh } from "./quote.js";
import { EXIT_TIMEOUT, type RunOptions, type RunResult, type Transport } from "./types.js";

// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader.
const { Client, utils } = ssh2;

export interface SshTarget {
  /** Inventory name, for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  /** Private key file; without it the agent in SSH_AUTH_SOCK is used. */
  key?: string;
  knownHosts?: string;
  /** Append the key of a host that has no known_hosts entry (never replaces a changed one). */
  acceptNewHostKeys?: boolean;
  connectTimeoutMs?: number;
}

/** The SSH target of an inventory server. */
export function sshTarget(server: Server, extra: Partial<SshTarget> = {}): SshTarget {
  return {
    name: server.name,
    host: server.ssh.host,
    port: server.ssh.port,
    user: server.ssh.user,
    ...(server.ssh.key ? { key: server.ssh.key } : {}),
    ...(server.ssh.knownHosts ? { knownHosts: server.ssh.knownHosts } : {}),
    ...extra,
  };
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Attempts to open a session channel that sshd refused for the moment. */
const OPEN_RETRIES = 8;
/** Sessions open at once on one connection. OpenSSH refuses more than MaxSessions (10 by
 *  default), and a closing session still counts for a moment: beyond this, commands queue here
 *  instead of failing at sshd. Long-running commands (a drill's observers) hold a slot. */
const MAX_SESSIONS = 8;

/** Commands run as root: directly when logged in as root, else through non-interactive sudo. */
function becomeRoot(user: string, command: string): string {
  return user === "root" ? command : sh`sudo -n -- sh -c ${command}`;
}

function hostKeyMessage(
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

export class SshTransport implements Transport {
  readonly host: string;
  private closed = false;
  private readonly sessions = pLimit(MAX_SESSIONS);

  private constructor(
    private readonly client: SshClient,
    private readonly target: SshTarget,
  ) {
    this.host = target.name;
    client.on("close", () => {
      this.closed = true;
    });
    // Errors after the handshake surface through the pending run() calls.
    client.on("error", () => undefined);
  }

  static async connect(target: SshTarget): Promise<SshTransport> {
    const entries = target.knownHosts ? await readKnownHosts(target.knownHosts) : [];
    const name = hostPattern(target.host, target.port);
    const knownTypes = [
      ...new Set(entries.filter((e) => e.patterns.length > 0).map((e) => e.keyType)),
    ];
    let verdict: HostKeyVerdict | undefined;
    let presentedType = "";

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      algorithms: {
        kex: {
          prepend: ["curve25519-sha256", "curve25519-sha256@libssh.org"],
          append: [],
          remove: [],
        },
        // Ask for a key type known_hosts already has, as OpenSSH does, so a host with several
        // keys is not mistaken for a changed one.
        serverHostKey: { prepend: knownTypes as never[], append: [], remove: [] },
      },
      hostVerifier: (key: Buffer, accept: (ok: boolean) => void) => {
        const parsed = utils.parseKey(key);
        presentedType = parsed instanceof Error ? "unknown-type" : parsed.type;
        const b64 = key.toString("base64");
        verdict = verifyHostKey(entries, name, presentedType, b64);
        if (verdict === "unknown" && target.acceptNewHostKeys && target.knownHosts) {
          appendKnownHost(target.knownHosts, name, presentedType, b64).then(
            () => accept(true),
            () => accept(false),
          );
          verdict = "match";
          return;
        }
        accept(verdict === "match");
      },
    };
    // Only the one method we have: ssh2 would first try "none", which sshd answers only after
    // its failed-login delay (~10 ms).
    if (target.key) {
      config.privateKey = await readFile(target.key);
      config.authHandler = ["publickey"];
    } else if (process.env.SSH_AUTH_SOCK) {
      config.agent = process.env.SSH_AUTH_SOCK;
      config.authHandler = ["agent"];
    } else
      throw new ConnectError(target.name, "no SSH key configured and no agent in SSH_AUTH_SOCK");

    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (err: Error & { level?: string; code?: string }) => {
        client.end();
        if (verdict !== undefined && verdict !== "match") {
          reject(
            new ConnectError(target.name, hostKeyMessage(verdict, target, name, presentedType), {
              cause: err,
            }),
          );
        } else if (err.level === "client-authentication") {
          reject(
            new ConnectError(
              target.name,
              `${target.user}@${name} rejected our key (${target.key ?? "agent"})`,
              { cause: err },
            ),
          );
        } else if (err.level === "client-timeout") {
          reject(
            new ConnectError(
              target.name,
              `no SSH answer from ${name} within ${config.readyTimeout} ms`,
              { cause: err },
            ),
          );
        } else {
          reject(
            new ConnectError(target.name, `cannot connect to ${name}: ${err.code ?? err.message}`, {
              cause: err,
            }),
          );
        }
      });
      client.connect(config);
      // Small request/answer exchanges: without TCP_NODELAY, Nagle's algorithm and delayed ACKs
      // add ~40 ms to a command, and to the handshake (the service request waited for the ACK
      // of NEWKEYS). The socket exists once connect() returns and keeps the option.
      client.setNoDelay(true);
    });
    return new SshTransport(client, target);
  }

  run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.sessions(() => this.runNow(command, opts));
  }

  private async runNow(command: string, opts: RunOptions): Promise<RunResult> {
    const started = performance.now();
    if (this.closed) throw new ConnectError(this.host, "the SSH connection was closed");
    // The remote timeout(1) kills a hung command on the host; the local timer, a little later,
    // gives up on a host that no longer answers at all.
    const remote =
      opts.timeoutMs === undefined
        ? command
        : sh`timeout -s KILL ${Math.ceil(opts.timeoutMs / 1000)} sh -c ${command}`;
    return new Promise<RunResult>((resolve, reject) => {
      // Listeners are attached inside the exec callback, synchronously: ssh2 parses a whole
      // chunk of packets at once, so a fast command's output, exit status and close can follow
      // the exec reply in the same tick, and a listener added after an await would miss them.
      const exec = opts.become === false ? remote : becomeRoot(this.target.user, remote);
      const attempt = (n: number): void => {
        this.client.exec(exec, (err, channel) => {
          if (!err) {
            this.collect(channel, command, started, opts, resolve);
            return;
          }
          // sshd refuses a new session while too many are open or still closing (MaxSessions);
          // nothing ran, so trying again a moment later is safe.
          if (/channel open failure/i.test(err.message) && n < OPEN_RETRIES && !this.closed) {
            setTimeout(() => attempt(n + 1), 10 * (n + 1));
            return;
          }
          const message = `cannot start a command: ${err.message}`;
          reject(new ConnectError(this.host, message, { cause: err }));
        });
      };
      attempt(0);
    });
  }

  private collect(
    channel: ClientChannel,
    command: string,
    started: number,
    opts: RunOptions,
    resolve: (r: RunResult) => void,
  ): void {
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let exitCode = -1;
    const finish = (code: number): void => {
      if (timer) clearTimeout(timer);
      resolve({
        command,
        exitCode: code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(errs).toString("utf8"),
        durationMs: performance.now() - started,
      });
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            channel.close();
            finish(EXIT_TIMEOUT);
          }, opts.timeoutMs + 2000);
    channel.on("data", (d: Buffer) => out.push(d));
    channel.stderr.on("data", (d: Buffer) => errs.push(d));
    channel.on("exit", (code: number | null) => {
      // A command killed by a signal has no exit code; 255 is what ssh(1) reports then.
      exitCode = code ?? 255;
    });
    channel.on("close", () => {
      // timeout(1) with KILL reports 137 or a bare signal, not 124: judge by the clock.
      const late = opts.timeoutMs !== undefined && performance.now() - started >= opts.timeoutMs;
      if (exitCode === -1 && !late) {
        // sshd closed the channel without an exit status: the session was cut.
        errs.push(Buffer.from("ksorch: the channel closed without an exit status\n"));
        exitCode = 255;
      }
      finish(late && exitCode !== 0 ? EXIT_TIMEOUT : exitCode);
    });
    const { stdin } = opts;
    if (stdin instanceof Readable) {
      // A failing local source must not leave the remote command waiting for input forever.
      stdin.once("error", (e) => {
        errs.push(Buffer.from(`ksorch: local input failed: ${e.message}\n`));
        channel.close();
      });
      stdin.pipe(channel);
    } else {
      channel.end(stdin);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.client.once("close", () => resolve());
      this.client.end();
    });
  }
}
