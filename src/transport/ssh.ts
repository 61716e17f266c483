// SshTransport: one ssh2 connection per host, opened once and reused for every command (a new
// connection costs ~140-210 ms, a command on an open one ~9 ms). Host keys are checked against
// known_hosts before authentication; nothing is auto-accepted unless the user asked for it.
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import pLimit from "p-limit";
import ssh2, { type Client as SshClient, type ClientChannel, type ConnectConfig } from "ssh2";
import { ConnectError } from "../errors.js";
import type { Server } from "../inventory/types.js";
import { sleep } from "../poll.js";
import {
  appendKnownHost,
  hostPattern,
  readKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from "./known-hosts.js";
import { sh } from "./quote.js";
import {
  PGID_MARK,
  formatSeconds,
  interruptedResult,
  killGroups,
  remoteCommand,
} from "./remote.js";
import { connectFailure, hostKeyMessage } from "./ssh-errors.js";
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
/**
 * The bound of a command whose caller gave none (a status probe, a drill's helper): long, since
 * it is only a backstop, but no remote command runs unbounded. The engine gives every task's
 * commands its own, shorter one (playbooks' `timeout:`, `apply --timeout`).
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 3_600_000;
/**
 * Keepalives, as OpenSSH's ServerAliveInterval/ServerAliveCountMax (ssh_config(5)) with ssh2's
 * keepaliveInterval/keepaliveCountMax (ssh2 README, "Client methods: connect"): a host that
 * stops answering at all is given up after 3 unanswered probes 5 s apart, ~15-20 s, instead of
 * when the kernel's TCP timeout fires (~15 min with Linux's tcp_retries2 default of 15).
 */
const KEEPALIVE_INTERVAL_MS = 5000;
const KEEPALIVE_COUNT_MAX = 3;
/** How long `interrupt()` waits after SIGTERM (a command's trap removes its temporary files)
 *  before it sends SIGKILL to what is left. */
const TERM_GRACE_MS = 2000;
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

/** A command in flight: its channel, and its process group once the host said it. */
interface Running {
  channel: ClientChannel;
  pgid?: number;
}

export class SshTransport implements Transport {
  readonly host: string;
  private closed = false;
  /** Why the connection broke after the handshake (keepalive timeout, reset), if it did. */
  private lost: string | undefined;
  private interrupted = false;
  private readonly running = new Set<Running>();
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
    client.on("error", (err: Error) => {
      this.lost =
        err.message === "Keepalive timeout"
          ? `${target.name} stopped answering (${KEEPALIVE_COUNT_MAX} keepalives ${KEEPALIVE_INTERVAL_MS / 1000} s apart went unanswered)`
          : err.message;
    });
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
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
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
              `no SSH answer from ${name} within ${(config.readyTimeout ?? 0) / 1000} s (host down, address wrong, or a firewall drops the packets)`,
              { cause: err },
            ),
          );
        } else {
          const why = connectFailure(err, name, config.readyTimeout ?? 0);
          reject(new ConnectError(target.name, why, { cause: err }));
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
    if (this.interrupted) return interruptedResult(command);
    if (this.closed)
      throw new ConnectError(this.host, this.lost ?? "the SSH connection was closed");
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const remote = remoteCommand(command, timeoutMs);
    return new Promise<RunResult>((resolve, reject) => {
      // Listeners are attached inside the exec callback, synchronously: ssh2 parses a whole
      // chunk of packets at once, so a fast command's output, exit status and close can follow
      // the exec reply in the same tick, and a listener added after an await would miss them.
      const exec = opts.become === false ? remote : becomeRoot(this.target.user, remote);
      const attempt = (n: number): void => {
        this.client.exec(exec, (err, channel) => {
          if (!err) {
            this.collect(channel, { command, started, timeoutMs, opts }, resolve, reject);
            return;
          }
          // sshd refuses a new session while too many are open or still closing (MaxSessions);
          // nothing ran, so trying again a moment later is safe.
          if (/channel open failure/i.test(err.message) && n < OPEN_RETRIES && !this.closed) {
            setTimeout(() => attempt(n + 1), 10 * (n + 1));
            return;
          }
          const message = `cannot start a command: ${this.lost ?? err.message}`;
          reject(new ConnectError(this.host, message, { cause: err }));
        });
      };
      attempt(0);
    });
  }

  private collect(
    channel: ClientChannel,
    job: { command: string; started: number; timeoutMs: number; opts: RunOptions },
    resolve: (r: RunResult) => void,
    reject: (e: unknown) => void,
  ): void {
    const me: Running = { channel };
    this.running.add(me);
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    // stderr until the process-group line is complete; then undefined.
    let head: Buffer | undefined = Buffer.alloc(0);
    const takeHead = (): void => {
      if (head === undefined) return;
      const nl = head.indexOf(10);
      const line = nl < 0 ? "" : head.subarray(0, nl).toString();
      if (line.startsWith(PGID_MARK)) {
        me.pgid = Number(line.slice(PGID_MARK.length));
        errs.push(head.subarray(nl + 1));
      } else errs.push(head);
      head = undefined;
    };
    let exitCode = -1;
    let settled = false;
    const settle = (r: Omit<RunResult, "command" | "stdout" | "stderr" | "durationMs">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.running.delete(me);
      takeHead();
      resolve({
        command: job.command,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(errs).toString("utf8"),
        durationMs: performance.now() - job.started,
        ...r,
        ...(this.interrupted ? { interrupted: true as const } : {}),
      });
    };
    const timedOut = `timed out after ${formatSeconds(job.timeoutMs)} (killed on the host)`;
    // The remote timeout(1) kills a hung command on the host; this timer, a little later, gives
    // up on a host that no longer answers at all.
    const timer = setTimeout(() => {
      channel.close();
      settle({
        exitCode: EXIT_TIMEOUT,
        timedOut: `no answer ${formatSeconds(job.timeoutMs + 2000)} after the command started`,
      });
    }, job.timeoutMs + 2000);
    channel.on("data", (d: Buffer) => out.push(d));
    channel.stderr.on("data", (d: Buffer) => {
      if (head === undefined) return void errs.push(d);
      head = Buffer.concat([head, d]);
      if (head.includes(10) || head.length > 64) takeHead();
    });
    channel.on("exit", (code: number | null) => {
      // A command killed by a signal has no exit code; 255 is what ssh(1) reports then.
      exitCode = code ?? 255;
    });
    channel.on("close", () => {
      if (job.opts.stdin instanceof Readable) job.opts.stdin.destroy();
      // timeout(1) with KILL reports 137 or a bare signal, not 124: judge by the clock.
      const late = performance.now() - job.started >= job.timeoutMs;
      if (late && exitCode !== 0 && !this.interrupted)
        return settle({ exitCode: EXIT_TIMEOUT, timedOut });
      if (exitCode === -1 && !this.interrupted) {
        // sshd closed the channel without an exit status: the session or the connection was cut.
        if (this.lost !== undefined || this.closed) {
          settled = true;
          clearTimeout(timer);
          this.running.delete(me);
          const why = this.lost ?? "the SSH connection was closed";
          return reject(new ConnectError(this.host, `connection lost during a command: ${why}`));
        }
        errs.push(Buffer.from("ksorch: the channel closed without an exit status\n"));
        exitCode = 255;
      }
      settle({ exitCode });
    });
    const { stdin } = job.opts;
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

  /**
   * SIGTERM to the process group of every command in flight, SIGKILL to what is left after a
   * grace period, then their channels closed. Commands asked for afterwards do not run.
   */
  async interrupt(): Promise<void> {
    this.interrupted = true;
    for (const signal of ["TERM", "KILL"] as const) {
      const groups = [...this.running].flatMap((r) => (r.pgid === undefined ? [] : [r.pgid]));
      if (groups.length === 0 || this.closed) break;
      await this.execAside(killGroups(signal, groups));
      if (signal === "TERM") await this.drained(TERM_GRACE_MS);
    }
    for (const r of this.running) r.channel.close();
    await this.drained(TERM_GRACE_MS);
  }

  /**
   * Starts a command that lives as long as this connection (or until `end` is called): its
   * stdin stays open, so it ends when sshd closes the session. Resolves with its first line of
   * output and the function that ends it; used to hold a lock on the host (./lock.ts).
   */
  hold(
    command: string,
  ): Promise<{ firstLine: string; rest: () => Promise<string>; end: () => void }> {
    const exec = becomeRoot(this.target.user, command);
    return new Promise((resolve, reject) => {
      this.client.exec(exec, (err, channel) => {
        if (err)
          return void reject(new ConnectError(this.host, `cannot start a command: ${err.message}`));
        let out = "";
        let first: string | undefined;
        const closed = new Promise<string>((r) => channel.on("close", () => r(out)));
        channel.stderr.resume();
        channel.on("data", (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf("\n");
          if (first === undefined && nl >= 0) {
            first = out.slice(0, nl);
            out = out.slice(nl + 1);
            resolve({ firstLine: first, rest: () => closed, end: () => channel.end() });
          }
        });
        void closed.then(() => {
          if (first === undefined)
            resolve({ firstLine: "", rest: () => closed, end: () => undefined });
        });
      });
    });
  }

  /** Resolves once no command is in flight, or after `ms`. */
  private async drained(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (this.running.size > 0 && performance.now() < until) await sleep(50);
  }

  /** Runs a short command outside the session queue (which may be full of what it stops). */
  private execAside(command: string): Promise<void> {
    const exec = becomeRoot(this.target.user, command);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      this.client.exec(exec, (err, channel) => {
        if (err) return void resolve();
        channel.on("close", () => {
          clearTimeout(timer);
          resolve();
        });
        channel.resume();
        channel.stderr.resume();
        channel.end();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.client.once("close", () => resolve());
      this.client.end();
    });
  }
}
