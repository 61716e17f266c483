// Running one task on one host: when -> plan -> (check mode: stop) -> steps, with retries.
// Results are values: ok, changed, skipped, failed, unreachable; only the unexpected throws.
import { Readable, Transform } from "node:stream";
import { ConnectError } from "../errors.js";
import type { CommandStep, HostContext, Module, Plan, Step, WaitStep } from "../modules/types.js";
import { sleep } from "../poll.js";
import { unifiedDiff } from "./diff.js";
import type { TaskDef } from "./playbook.js";
import type { StepRecord, TaskResult } from "./results.js";
import { evaluate, type Scope } from "./template.js";

export interface TaskRun {
  task: TaskDef;
  /** The task's name as rendered for this host. */
  name: string;
  module: Module;
  args: unknown;
  playbook: string;
  handler: boolean;
  host: HostContext;
  /** Variables for `when`/`until` (facts included). */
  scope: Scope;
  check: boolean;
  /** An earlier task on this host changed (or in check mode, would change) something. */
  afterChange: boolean;
  diff: boolean;
  onProgress: (sent: number, total: number) => void;
  /** A plan made ahead of time (see run.ts), used for the first attempt instead of planning. */
  prePlanned?: Promise<Plan>;
  /** Aborted on an interrupt: no further attempt, wait or step starts. */
  signal?: AbortSignal;
}

const TAIL = 2000;
const tail = (s: string): string => (s.length > TAIL ? `...${s.slice(-TAIL)}` : s);

/** What one attempt of a task came to: its result without who, when and how long. */
type Outcome = Pick<TaskResult, "status" | "reason" | "summary" | "steps" | "diff" | "bytes">;

/** Passes `input` through, counting bytes. A Transform, not a 'data' listener: a listener would
 * start the flow before the transport has piped the stream anywhere, and lose the first chunks. */
function counted(
  input: Readable,
  total: number,
  onProgress: TaskRun["onProgress"],
  sent: { n: number },
): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent.n += chunk.length;
      onProgress(sent.n, total);
      done(null, chunk);
    },
  });
  input.on("error", (err) => counter.destroy(err));
  // The transport ends the stream when the command is gone (interrupted, failed): the source,
  // a local tar process, is ended with it rather than left blocked on a full pipe.
  counter.on("close", () => input.destroy());
  return input.pipe(counter);
}

async function runCommand(
  run: TaskRun,
  step: CommandStep,
  sent: { n: number },
): Promise<StepRecord> {
  let stdin = step.stdin?.();
  if (stdin instanceof Readable) stdin = counted(stdin, step.bytes ?? 0, run.onProgress, sent);
  else if (stdin !== undefined) sent.n += Buffer.byteLength(stdin);
  const r = await run.host.transport.run(step.command, {
    ...(stdin !== undefined ? { stdin } : {}),
    ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
  });
  const rec: StepRecord = {
    title: step.title,
    command: step.command,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
  };
  return r.exitCode === 0 ? rec : { ...rec, stdout: tail(r.stdout), stderr: tail(r.stderr) };
}

/**
 * The line of a failed step's stderr that says why: a full disk wherever it was said (tar ends
 * with "Exiting with failure status due to previous errors", which says nothing), else the
 * last line.
 */
export function failureLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  const full = lines.find((l) => /No space left on device|ENOSPC/i.test(l));
  if (full) return `the host's disk is full (ENOSPC): ${full.trim()}`;
  return lines.pop()?.trim() ?? "";
}

async function runWait(
  step: WaitStep,
  signal: AbortSignal | undefined,
): Promise<{ rec: StepRecord; missing: string | null }> {
  const started = performance.now();
  const deadline = started + step.timeoutMs;
  let missing = await step.probe();
  while (missing !== null && performance.now() + step.intervalMs < deadline && !signal?.aborted) {
    await sleep(step.intervalMs);
    missing = await step.probe();
  }
  return { rec: { title: step.title, durationMs: performance.now() - started }, missing };
}

async function applySteps(run: TaskRun, plan: Extract<Plan, { kind: "change" }>): Promise<Outcome> {
  const steps: StepRecord[] = [];
  const sent = { n: 0 };
  let changed = false;
  const base = {
    summary: plan.summary,
    ...(run.diff && plan.files ? { diff: unifiedDiff(plan.files) } : {}),
  };
  for (const step of plan.steps as Step[]) {
    if (run.signal?.aborted)
      return { ...base, status: "failed", reason: `interrupted before: ${step.title}`, steps };
    if (step.kind === "wait") {
      const { rec, missing } = await runWait(step, run.signal);
      steps.push(rec);
      if (missing !== null)
        return {
          ...base,
          status: "failed",
          reason: `timed out after ${step.timeoutMs} ms waiting for ${missing}`,
          steps,
        };
      continue;
    }
    const rec = await runCommand(run, step, sent);
    steps.push(rec);
    changed ||= step.readOnly !== true;
    if (rec.exitCode !== 0) {
      const why = failureLine(rec.stderr ?? "") || `exit code ${rec.exitCode}`;
      return { ...base, status: "failed", reason: `${step.title}: ${why}`, steps, bytes: sent.n };
    }
  }
  // A plan made only of waits changed nothing: it found the state it waited for.
  return {
    ...base,
    status: changed ? "changed" : "ok",
    steps,
    ...(sent.n > 0 ? { bytes: sent.n } : {}),
  };
}

async function attempt(run: TaskRun, first: boolean): Promise<Outcome> {
  const plan =
    first && run.prePlanned ? await run.prePlanned : await run.module.plan(run.args, run.host);
  if (plan.kind === "noop") return { status: "ok", reason: plan.reason, steps: [] };
  if (run.check) {
    // Waits and read-only probes would change nothing even when the run is real.
    const changes = plan.steps.some((s) => s.kind === "command" && s.readOnly !== true);
    return {
      status: changes ? "changed" : "ok",
      summary: plan.summary,
      steps: plan.steps.map((s) => ({
        title: s.title,
        ...(s.kind === "command" ? { command: s.command } : {}),
        durationMs: 0,
      })),
      ...(run.diff && plan.files ? { diff: unifiedDiff(plan.files) } : {}),
    };
  }
  return applySteps(run, plan);
}

/** Whether a task's `when` allows it to run (true without one); throws what the expression throws. */
export function whenHolds(task: TaskDef, scope: Scope): boolean {
  return task.when === undefined || isTrue(task.when, scope);
}

function isTrue(expr: string, scope: Scope): boolean {
  return Boolean(evaluate(expr, scope));
}

export async function executeTask(run: TaskRun): Promise<TaskResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const base = {
    host: run.host.name,
    playbook: run.playbook,
    task: run.name,
    module: run.task.module,
    handler: run.handler,
    startedAt: startedAt.toISOString(),
  };
  const finish = (o: Outcome, attempts: number): TaskResult => ({
    ...base,
    ...o,
    attempts,
    durationMs: performance.now() - t0,
  });

  try {
    if (!whenHolds(run.task, run.scope)) {
      return finish({ status: "skipped", reason: `when: ${run.task.when}`, steps: [] }, 0);
    }
  } catch (err) {
    return finish({ status: "failed", reason: `when: ${(err as Error).message}`, steps: [] }, 0);
  }
  let outcome: Outcome = { status: "failed", steps: [] };
  let attempts = 0;
  while (attempts <= run.task.retries) {
    if (attempts > 0 && run.signal?.aborted) break;
    if (attempts > 0) await sleep(run.task.delayMs);
    attempts += 1;
    try {
      outcome = await attempt(run, attempts === 1);
    } catch (err) {
      if (err instanceof ConnectError)
        return finish({ status: "unreachable", reason: err.message, steps: [] }, attempts);
      const reason = (err as Error).message;
      // In check mode the earlier changes did not happen, so what this task reads may not exist
      // yet (a package's files, say): that is no failure of the real run.
      if (run.check && run.afterChange) {
        const why = `cannot plan before the earlier changes are made: ${reason}`;
        return finish({ status: "skipped", reason: why, steps: [] }, attempts);
      }
      outcome = { status: "failed", reason, steps: [] };
    }
    let done: boolean;
    try {
      done =
        run.task.until === undefined || run.check
          ? outcome.status !== "failed"
          : isTrue(run.task.until, { ...run.scope, result: outcome });
    } catch (err) {
      // An expression that throws (a name that does not exist) fails the task, not the run.
      outcome = { ...outcome, status: "failed", reason: `until: ${(err as Error).message}` };
      break;
    }
    if (done) break;
    if (outcome.status !== "failed")
      outcome = { ...outcome, status: "failed", reason: `until: ${run.task.until} is still false` };
  }
  return finish(outcome, attempts);
}
