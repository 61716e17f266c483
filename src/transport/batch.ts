// BatchTransport: commands issued in the same turn of the event loop reach the host as a few
// remote shell scripts (one per free session), each command in a subshell of its own. A no-op
// apply plans ~25 tasks per host at once, each with one read-only probe; as separate SSH
// sessions they cost a session start each (fork, PAM, a shell) and queue for free channels, as
// scripts they take one round trip.
// Each command still sees what it would alone: its own subshell (an `exit`, a `cd` or `set -e`
// stays inside), stdin from /dev/null (as an exec without input), the same login shell, and
// its own stdout, stderr and exit status, cut out of the script's streams at random markers.
import { randomBytes } from "node:crypto";
import { ConnectError } from "../errors.js";
import { interruptedResult } from "./remote.js";
import type { RunOptions, RunResult, Transport } from "./types.js";

interface Pending {
  command: string;
  timeoutMs: number | undefined;
  resolve: (r: RunResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Sessions one host's batches may hold open at once. OpenSSH's MaxSessions is 10, but sessions
 * still closing count too: 6 at once were refused at times in the lab, 5 never.
 */
const MAX_SESSIONS = 4;
/** A script is one argument of `sh -c` on the host, and Linux caps one at 128 KiB. */
const MAX_SCRIPT_BYTES = 96 * 1024;

/** The script that runs `commands` in order, each followed by its markers on both streams. */
export function batchScript(commands: readonly string[], marker: string): string {
  // The newlines keep a command's trailing comment or heredoc from swallowing the `)`.
  return commands
    .map(
      (c, i) =>
        `(\n${c}\n) </dev/null; printf '%s:%d:%d;' ${marker} ${i} $?; printf '%s:%d;' ${marker} ${i} >&2`,
    )
    .join("\n");
}

/** One command's part of a batch result. */
export interface BatchPart {
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut?: string;
  interrupted?: true;
}

/**
 * Cuts the batch's streams at the markers. Commands run in order, so the first one without a
 * marker is where the script stopped (killed, connection cut): it gets what was printed after
 * the last marker, and it and every later command fail with the script's exit code, or 255.
 */
export function splitBatch(
  script: RunResult,
  marker: string,
  commands: readonly string[],
): BatchPart[] {
  const count = commands.length;
  const outs = cut(script.stdout, new RegExp(`${marker}:(\\d+):(\\d+);`, "g"));
  const errs = cut(script.stderr, new RegExp(`${marker}:(\\d+);`, "g"));
  const stopped = outs.parts.length;
  const unfinished = "ksorch: the command did not finish (its batch ended early)\n";
  return Array.from({ length: count }, (_, i): BatchPart => {
    const out = outs.parts[i];
    if (out) return { stdout: out.text, stderr: errs.parts[i]?.text ?? "", exitCode: out.code };
    const part: BatchPart = {
      stdout: i === stopped ? outs.rest : "",
      stderr:
        i === stopped && errs.rest !== "" ? `${errs.rest.trimEnd()}\n${unfinished}` : unfinished,
      exitCode: script.exitCode === 0 ? 255 : script.exitCode,
    };
    // The script's time ran out in the command where it stopped; those after it never ran.
    if (script.timedOut !== undefined)
      part.timedOut =
        i === stopped
          ? script.timedOut
          : `not run: ${commands[stopped] ?? "an earlier command"} of the same batch timed out`;
    if (script.interrupted) part.interrupted = true;
    return part;
  });
}

/** The text before each marker (and its status, when the marker carries one), and the rest. */
function cut(
  text: string,
  marks: RegExp,
): { parts: { text: string; code: number }[]; rest: string } {
  const parts: { text: string; code: number }[] = [];
  let from = 0;
  for (const m of text.matchAll(marks)) {
    parts.push({ text: text.slice(from, m.index), code: Number(m[2] ?? 0) });
    from = m.index + m[0].length;
  }
  return { parts, rest: text.slice(from) };
}

export class BatchTransport implements Transport {
  readonly host: string;
  /** Commands waiting for the next flush, by whether they run as root and their timeout. */
  private readonly queued = new Map<string, Pending[]>();
  private scheduled = false;
  private sessions = 0;

  constructor(private readonly inner: Transport) {
    this.host = inner.host;
  }

  run(command: string, opts: RunOptions = {}): Promise<RunResult> {
    // Input belongs to one command's session: such a command runs alone.
    if (opts.stdin !== undefined) return this.inner.run(command, opts);
    // A script runs as root or not, within one timeout: commands are queued by both. Commands
    // of one script run one after the other, so each has its timeout for itself only when it
    // is quick next to it: the probes that batches carry are (milliseconds against minutes).
    const key = `${opts.become !== false} ${opts.timeoutMs ?? ""}`;
    return new Promise((resolve, reject) => {
      const list = this.queued.get(key) ?? [];
      list.push({ command, timeoutMs: opts.timeoutMs, resolve, reject });
      this.queued.set(key, list);
      this.schedule();
    });
  }

  /** Flushes once the current turn's commands are all queued (after its promise callbacks). */
  private schedule(): void {
    if (this.scheduled || this.sessions >= MAX_SESSIONS) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Sends what is queued over the free sessions, spread evenly: the host runs the scripts side
   * by side, and a single probe can take tens of ms (an init script's status check). What does
   * not fit in the scripts' size waits for the next free session.
   */
  private flush(): void {
    for (const [key, list] of this.queued) {
      const become = key.startsWith("true");
      const k = Math.min(MAX_SESSIONS - this.sessions, list.length);
      if (k <= 0) continue;
      const scripts = Array.from({ length: k }, () => ({ batch: [] as Pending[], bytes: 0 }));
      for (let i = 0; list[0] !== undefined; i += 1) {
        const script = scripts[i % k] as (typeof scripts)[number];
        const bytes = script.bytes + list[0].command.length + 80;
        if (script.batch.length > 0 && bytes > MAX_SCRIPT_BYTES) break;
        script.batch.push(list.shift() as Pending);
        script.bytes = bytes;
      }
      for (const { batch } of scripts) this.send(batch, become);
    }
  }

  private send(batch: Pending[], become: boolean): void {
    this.sessions += 1;
    const done = (): void => {
      this.sessions -= 1;
      if ([...this.queued.values()].some((l) => l.length > 0)) this.schedule();
    };
    const only = batch.length === 1 ? batch[0] : undefined;
    const timeout = batch[0]?.timeoutMs;
    const opts = { become, ...(timeout !== undefined ? { timeoutMs: timeout } : {}) };
    if (only) {
      // Alone, a command runs as it is: no script, no markers.
      this.inner.run(only.command, opts).then(only.resolve, only.reject).finally(done);
      return;
    }
    const marker = `@@ksorch-${randomBytes(12).toString("hex")}`;
    const commands = batch.map((p) => p.command);
    this.inner
      .run(batchScript(commands, marker), opts)
      .then(
        (r) => {
          splitBatch(r, marker, commands).forEach((part, i) =>
            batch[i]?.resolve({ command: commands[i] ?? "", ...part, durationMs: r.durationMs }),
          );
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .finally(done);
  }

  /** Stops what runs; what is still queued never starts and reports that it was interrupted. */
  async interrupt(): Promise<void> {
    for (const list of this.queued.values())
      for (const p of list.splice(0)) p.resolve(interruptedResult(p.command));
    await this.inner.interrupt?.();
  }

  close(): Promise<void> {
    const err = new ConnectError(this.host, "the SSH connection was closed");
    for (const list of this.queued.values()) for (const p of list.splice(0)) p.reject(err);
    return this.inner.close();
  }
}
