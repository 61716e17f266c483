// FakeTransport: a scripted host for unit tests. Each rule answers the commands it matches;
// every call is recorded so a test can assert what ran and in which order (read before write).
import { Readable } from "node:stream";
import type { RunOptions, RunResult, Transport } from "./types.js";

export type Answer = Partial<Omit<RunResult, "command" | "durationMs">> & {
  /** The command never ends by itself: it is killed at its timeout or by `interrupt()`. */
  hang?: true;
};
export type Matcher = string | RegExp | ((command: string) => boolean);

export interface FakeRule {
  match: Matcher;
  answer: Answer | ((command: string, stdin: string | undefined) => Answer);
}

export interface FakeCall {
  command: string;
  stdin?: string;
  timeoutMs?: number;
}

function matches(m: Matcher, command: string): boolean {
  if (typeof m === "string") return command.includes(m);
  if (m instanceof RegExp) return m.test(command);
  return m(command);
}

async function readAll(stdin: RunOptions["stdin"]): Promise<string | undefined> {
  if (stdin === undefined) return undefined;
  if (!(stdin instanceof Readable)) return stdin.toString();
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString("latin1");
}

export class FakeTransport implements Transport {
  readonly calls: FakeCall[] = [];
  closed = false;
  interrupted = false;
  /** Hanging commands, each ended by its timeout or by `interrupt()`. */
  private readonly hanging = new Set<() => void>();

  /** Rules are tried first to last; the first match answers. */
  constructor(
    readonly host: string,
    private readonly rules: FakeRule[] = [],
  ) {}

  /** Adds a rule in front of the others, so a test can change the host's state mid-run. */
  on(match: Matcher, answer: FakeRule["answer"]): this {
    this.rules.unshift({ match, answer });
    return this;
  }

  async run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    const stdin = await readAll(opts.stdin);
    this.calls.push({
      command,
      ...(stdin !== undefined ? { stdin } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    if (this.interrupted) return this.stopped(command);
    const rule = this.rules.find((r) => matches(r.match, command));
    // An unscripted command is a test bug: fail loudly rather than pretend it succeeded.
    if (!rule) throw new Error(`FakeTransport(${this.host}): no rule for command: ${command}`);
    const a = typeof rule.answer === "function" ? rule.answer(command, stdin) : rule.answer;
    if (a.hang) return this.hang(command, opts.timeoutMs);
    return {
      command,
      exitCode: a.exitCode ?? 0,
      stdout: a.stdout ?? "",
      stderr: a.stderr ?? "",
      durationMs: 0,
    };
  }

  private stopped(command: string): RunResult {
    return { command, exitCode: 130, stdout: "", stderr: "", durationMs: 0, interrupted: true };
  }

  private hang(command: string, timeoutMs: number | undefined): Promise<RunResult> {
    return new Promise((resolve) => {
      const stop = (r: RunResult): void => {
        clearTimeout(timer);
        this.hanging.delete(interrupt);
        resolve(r);
      };
      const interrupt = (): void => stop(this.stopped(command));
      const timedOut = `timed out after ${(timeoutMs ?? 0) / 1000} s (killed on the host)`;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                stop({
                  command,
                  exitCode: 124,
                  stdout: "",
                  stderr: "",
                  durationMs: timeoutMs,
                  timedOut,
                }),
              timeoutMs,
            );
      this.hanging.add(interrupt);
    });
  }

  async interrupt(): Promise<void> {
    this.interrupted = true;
    for (const interrupt of [...this.hanging]) interrupt();
  }

  commands(): string[] {
    return this.calls.map((c) => c.command);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
