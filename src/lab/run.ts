// Running local processes for the lab. Every command is an argv array (no shell parsing), and
// every run ends in one flat typed record, so callers never glue strings or guess at failures.
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { TaskError } from "../errors.js";

export interface RunResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  failed: boolean;
}

export interface RunOptions {
  /** Written to the child's stdin, then stdin is closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
}

/** Runs argv and resolves with its result whatever the exit code. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TaskError("run: empty command");
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // A child that exits before reading its input must not crash us with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
    const finish = (exitCode: number, extraErr = ""): void =>
      resolve({
        argv,
        exitCode,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + extraErr,
        durationMs: Math.round(performance.now() - started),
        failed: exitCode !== 0,
      });
    child.on("error", (e) => finish(127, e.message));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 + 9 : 1)));
  });
}

/** Runs argv and throws a TaskError naming the command and its stderr when it fails. */
export async function runOk(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  if (r.failed) {
    const tail = (r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n");
    throw new TaskError(`command failed (exit ${r.exitCode}): ${argv.join(" ")}\n${tail}`);
  }
  return r;
}

/** Starts a daemon-like process that outlives us (own session, output to `logFile`). */
export async function spawnDetached(argv: string[], logFile: string): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TaskError("spawnDetached: empty command");
  const log = await open(logFile, "a");
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", log.fd, log.fd] });
  child.unref();
  await log.close();
  if (child.pid === undefined) throw new TaskError(`could not start ${cmd}`);
  return child.pid;
}
