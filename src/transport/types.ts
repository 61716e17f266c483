// The connector layer: how ksorch reaches a host. Everything above it (facts, modules, engine)
// speaks only this interface, so unit tests hand in a FakeTransport instead of SSH.
import type { Readable } from "node:stream";

export interface RunOptions {
  /** Fed to the command's standard input, then closed. */
  stdin?: string | Buffer | Readable;
  /**
   * Kill the command on the host (its whole process group) after this long; the result then
   * has exit code 124 (as timeout(1) reports) and `timedOut`. Without it the transport's own
   * default applies: no remote command runs unbounded.
   */
  timeoutMs?: number;
  /** Run as root: through `sudo -n` when the login user is not root. Default true. */
  become?: boolean;
}

/** One finished command. A non-zero exit is a value here, never an exception. */
export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the command was killed at its timeout: what happened, in words. */
  timedOut?: string;
  /** Set when the command was killed by `interrupt()` (SIGINT/SIGTERM of ksorch). */
  interrupted?: true;
}

export interface Transport {
  /** The inventory name of the host, used in messages and results. */
  readonly host: string;
  run(command: string, opts?: RunOptions): Promise<RunResult>;
  /**
   * Stops the commands in flight (their process groups on the host get SIGTERM, then SIGKILL)
   * and refuses new ones; resolves once they are gone. Optional: a test double need not.
   */
  interrupt?(): Promise<void>;
  close(): Promise<void>;
}

/** Exit code reported when a command hit its timeout. */
export const EXIT_TIMEOUT = 124;
