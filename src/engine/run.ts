// The run: connect and gather facts on every host, then the playbooks in order. A playbook is
// a barrier (every host finishes it before the next starts), so a later playbook can check the
// whole cluster. Within a playbook hosts run in parallel (--forks), tasks on a host in order.
import pLimit from "p-limit";
import { ConnectError } from "../errors.js";
import { gatherFacts, type Facts } from "../modules/facts/facts.js";
import type { HostContext, Module, PeerHost, Plan } from "../modules/types.js";
import type { FileTag, RenderedFile } from "../render/types.js";
import type { Transport } from "../transport/types.js";
import { playHosts, type CompiledArgs, type CompiledTask } from "./compile.js";
import { executeTask, whenHolds } from "./execute.js";
import { FACTS_TIMEOUT_MS, guarded } from "./guard.js";
import type { PlaybookDef, TaskDef } from "./playbook.js";
import type { Reporter } from "./reporter.js";
import { recapOf, type ApplyReport, type TaskResult } from "./results.js";
import type { Scope } from "./template.js";

export interface EngineHost {
  name: string;
  /** Variables for templates and expressions (facts are added as `facts`). */
  scope: Scope;
  connect(): Promise<Transport>;
  files(tag: FileTag): RenderedFile[];
  /** Says why the host's facts do not fit the inventory (e.g. another OS family), if so. */
  verify?(facts: Facts): string | undefined;
}

export interface EngineOptions {
  check: boolean;
  diff: boolean;
  /** Only tasks with one of these tags (handlers run when notified). */
  tags?: string[];
  forks: number;
  localRoot: string;
  reporter: Reporter;
  /** Bound of every remote command of a task without its own `timeout:`. */
  timeoutMs: number;
  /** Aborted on SIGINT/SIGTERM: no new task starts, the commands in flight are stopped. */
  signal?: AbortSignal;
}

interface HostState {
  host: EngineHost;
  transport?: Transport;
  ctx?: HostContext;
  scope: Scope;
  /** Set once the host failed or became unreachable: it runs nothing more. */
  stopped: boolean;
  /** A task changed (or in check mode would change) this host. */
  changed: boolean;
}

/** The value of `f`, or false when it throws (the task itself then reports the error). */
function safely(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}

function selected(task: TaskDef, tags: string[] | undefined): boolean {
  return tags === undefined || tags.length === 0 || task.tags.some((t) => tags.includes(t));
}

export async function runPlaybooks(
  playbooks: PlaybookDef[],
  compiled: CompiledArgs,
  hosts: EngineHost[],
  modules: ReadonlyMap<string, Module>,
  opts: EngineOptions,
): Promise<ApplyReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const results: TaskResult[] = [];
  const limit = pLimit(Math.max(1, opts.forks));
  const states = hosts.map((host): HostState => ({
    host,
    scope: host.scope,
    stopped: false,
    changed: false,
  }));
  const record = (r: TaskResult): void => {
    results.push(r);
    opts.reporter.taskEnd(r);
  };
  const sharedWork = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let p = sharedWork.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      sharedWork.set(key, p);
      p.catch(() => sharedWork.delete(key));
    }
    return p;
  };
  const peers = (): PeerHost[] =>
    states
      .filter((s) => !s.stopped && s.ctx)
      .map((s) => ({ name: s.host.name, transport: (s.ctx as HostContext).transport }));
  const aborted = (): boolean => opts.signal?.aborted === true;
  // An interrupt stops what runs on every host at once; the run then ends as it would.
  const stopping: Promise<unknown>[] = [];
  const onAbort = (): void => {
    for (const s of states) if (s.transport?.interrupt) stopping.push(s.transport.interrupt());
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  opts.reporter.start(
    hosts.map((h) => h.name),
    opts.check,
  );

  const mismatched = new Set<string>();
  // The record of connecting to a host and gathering its facts, before any playbook.
  const factsTask = (host: string) => ({
    host,
    playbook: "(connect)",
    task: "gather facts",
    module: "facts",
    handler: false,
    steps: [],
    attempts: 1,
  });
  const connect = async (s: HostState): Promise<void> => {
    const t = performance.now();
    const base = factsTask(s.host.name);
    opts.reporter.taskStart(s.host.name, base.playbook, base.task);
    try {
      s.transport = await s.host.connect();
      if (opts.signal?.aborted) await s.transport.interrupt?.();
      const facts = await gatherFacts(
        guarded(s.transport, { timeoutMs: Math.min(FACTS_TIMEOUT_MS, opts.timeoutMs) }),
      );
      const mismatch = s.host.verify?.(facts);
      s.scope = { ...s.host.scope, facts };
      s.ctx = {
        name: s.host.name,
        transport: guarded(s.transport, { timeoutMs: opts.timeoutMs }),
        facts,
        files: (tag) => s.host.files(tag),
        peers,
        localRoot: opts.localRoot,
        vars: s.scope,
        shared,
      };
      if (mismatch) {
        s.stopped = true;
        mismatched.add(s.host.name);
        record({
          ...base,
          status: "failed",
          reason: mismatch,
          startedAt,
          durationMs: performance.now() - t,
        });
      }
    } catch (err) {
      s.stopped = true;
      const status = err instanceof ConnectError ? "unreachable" : "failed";
      record({
        ...base,
        status,
        reason: (err as Error).message,
        startedAt,
        durationMs: performance.now() - t,
      });
    }
  };
  await Promise.all(states.map((s) => limit(() => connect(s))));
  // A host whose facts do not fit the inventory stops every host, before anything changes.
  if (mismatched.size > 0) {
    for (const s of states) {
      if (s.stopped) continue;
      s.stopped = true;
      record({
        ...factsTask(s.host.name),
        status: "skipped",
        reason: `nothing changed: the facts of ${[...mismatched].join(", ")} do not fit the inventory`,
        startedAt,
        durationMs: 0,
      });
    }
  }

  const inPlayOf = (pb: PlaybookDef): HostState[] => {
    const names = playHosts(
      pb,
      states.map((s) => s.host.name),
    );
    return states.filter((s) => names.includes(s.host.name) && !s.stopped);
  };
  const moduleOf = (task: TaskDef): Module => modules.get(task.module) as Module;
  const compiledFor = (task: TaskDef, s: HostState): CompiledTask => {
    const c = compiled.get(task)?.get(s.host.name);
    if (!c) throw new Error(`internal: ${task.name} was not compiled for ${s.host.name}`);
    return c;
  };
  // Facts joined the host's scope after compilation; a loop's item comes from the compiled one.
  const scopeFor = (s: HostState, task: TaskDef): Scope => {
    const c = compiledFor(task, s);
    return { ...c.scope, ...s.scope, ...(task.loop ? { item: c.scope.item } : {}) };
  };
  const hostFor = (s: HostState, task: TaskDef): HostContext => {
    const ctx = s.ctx as HostContext;
    const timeoutMs = task.timeoutMs ?? opts.timeoutMs;
    return {
      ...ctx,
      transport: guarded(s.transport as Transport, { timeoutMs, become: task.become }),
    };
  };
  const tasksOf = (pb: PlaybookDef, s: HostState, first: string | undefined): TaskDef[] =>
    pb.tasks.filter((t) => selected(t, opts.tags) && (!t.runOnce || s.host.name === first));
  // A plan made before its task runs, or none when the task's `when` is false (or throws: the
  // task itself reports that). Unused, it may fail quietly; the task then plans again.
  const planEarly = (s: HostState, t: TaskDef): Promise<Plan> | undefined => {
    if (!safely(() => whenHolds(t, scopeFor(s, t)))) return undefined;
    const p = (async () => moduleOf(t).plan(compiledFor(t, s).args, hostFor(s, t)))();
    p.catch(() => undefined);
    return p;
  };

  // Plans only read, so a plan stays true as long as nothing has changed since it was made. Every
  // task of every playbook is therefore planned at once, right after connecting; the transport
  // sends what is asked in the same moment as a few shell scripts (src/transport/batch.ts), so a
  // run that finds nothing to do costs about one round trip per host after the facts. `epoch` counts what invalidates these plans: steps run (not in
  // check mode) and hosts stopped (a run_once task or a cluster check would see other hosts).
  let epoch = 0;
  const ahead = new Map<TaskDef, Map<string, Promise<Plan>>>();
  for (const pb of playbooks) {
    const inPlay = inPlayOf(pb);
    for (const s of inPlay) {
      for (const t of tasksOf(pb, s, inPlay[0]?.host.name)) {
        const p = planEarly(s, t);
        if (p) ahead.set(t, (ahead.get(t) ?? new Map<string, Promise<Plan>>()).set(s.host.name, p));
      }
    }
  }

  const runTask = async (
    s: HostState,
    pb: PlaybookDef,
    task: TaskDef,
    handler: boolean,
    prePlanned?: Promise<Plan>,
  ): Promise<TaskResult> => {
    const c = compiledFor(task, s);
    opts.reporter.taskStart(s.host.name, pb.name, c.name);
    const r = await executeTask({
      task,
      name: c.name,
      module: moduleOf(task),
      args: c.args,
      playbook: pb.name,
      handler,
      host: hostFor(s, task),
      scope: scopeFor(s, task),
      check: opts.check,
      afterChange: s.changed,
      diff: opts.diff,
      onProgress: (sent, total) => opts.reporter.progress(s.host.name, sent, total),
      ...(prePlanned ? { prePlanned } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    record(r);
    if (r.status === "changed") s.changed = true;
    if (r.status === "failed" || r.status === "unreachable") s.stopped = true;
    if (s.stopped || (!opts.check && r.steps.length > 0)) epoch += 1;
    return r;
  };

  const runPlaybookOnHost = async (
    s: HostState,
    pb: PlaybookDef,
    first: string | undefined,
  ): Promise<void> => {
    const tasks = tasksOf(pb, s, first);
    // Plans made at the start still hold while nothing has changed; else every task of this
    // playbook is planned now, at once. Within the playbook a plan stays true until a task
    // before it on this host runs steps; from then on each task plans afresh.
    const fresh = epoch === 0;
    const early = tasks.map((t) => (fresh ? ahead.get(t)?.get(s.host.name) : planEarly(s, t)));
    let untouched = true;
    const notified = new Set<string>();
    for (const [i, task] of tasks.entries()) {
      if (s.stopped || aborted()) return;
      const r = await runTask(s, pb, task, false, untouched ? early[i] : undefined);
      if (!opts.check && r.steps.length > 0) untouched = false;
      if (r.status === "changed") for (const n of task.notify) notified.add(n);
    }
    // Handlers in the order they are declared, each once, only where something notified them.
    for (const h of pb.handlers) {
      if (s.stopped || aborted()) return;
      if (notified.has(h.name)) await runTask(s, pb, h, true);
    }
  };

  for (const pb of playbooks) {
    if (aborted()) break;
    const inPlay = inPlayOf(pb);
    if (inPlay.length === 0) continue;
    opts.reporter.playbookStart(pb.name);
    const first = inPlay[0]?.host.name;
    const batch =
      pb.serial === undefined ? limit : pLimit(Math.min(pb.serial, Math.max(1, opts.forks)));
    await Promise.all(inPlay.map((s) => batch(() => runPlaybookOnHost(s, pb, first))));
    if (pb.anyErrorsFatal && inPlay.some((s) => s.stopped))
      for (const s of states) s.stopped = true;
  }

  opts.signal?.removeEventListener("abort", onAbort);
  await Promise.all(stopping.map((p) => p.catch(() => undefined)));
  await Promise.all(states.map((s) => s.transport?.close().catch(() => undefined)));
  const recap = recapOf(
    hosts.map((h) => h.name),
    results,
  );
  const report: ApplyReport = {
    check: opts.check,
    startedAt,
    durationMs: performance.now() - t0,
    pairs: results.filter((r) => r.playbook !== "(connect)").length,
    results,
    recap,
    exitCode: recap.some((r) => r.failed > 0 || r.unreachable > 0) ? 1 : 0,
    ...(aborted() ? { interrupted: String(opts.signal?.reason ?? "interrupted") } : {}),
  };
  await opts.reporter.finish(report);
  return report;
}
