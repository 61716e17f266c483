// Typed records of a run: one per task and host, a recap per host, one report per run. The JSON
// reporter prints the report as it is, so these types are the `--json` contract.

export type TaskStatus = "ok" | "changed" | "skipped" | "failed" | "unreachable";

export interface StepRecord {
  title: string;
  command?: string;
  exitCode?: number;
  durationMs: number;
  /** Only for a failed step: the tail of what it printed. */
  stdout?: string;
  stderr?: string;
}

export interface TaskResult {
  host: string;
  playbook: string;
  task: string;
  module: string;
  handler: boolean;
  status: TaskStatus;
  /** Why nothing was done (noop), why skipped, or why it failed. */
  reason?: string;
  /** What the plan said it would do. */
  summary?: string;
  steps: StepRecord[];
  /** Unified diffs of the files the task changes (or would change in check mode), secrets masked. */
  diff?: string;
  /** Bytes sent over stdin (tree copies). */
  bytes?: number;
  attempts: number;
  startedAt: string;
  durationMs: number;
}

export interface HostRecap {
  host: string;
  ok: number;
  changed: number;
  skipped: number;
  failed: number;
  unreachable: number;
}

export interface ApplyReport {
  check: boolean;
  startedAt: string;
  durationMs: number;
  /** Task-host pairs that ran (handlers included). */
  pairs: number;
  results: TaskResult[];
  recap: HostRecap[];
  /** Exit code: 0 all hosts fine, 1 a failure or an unreachable host. */
  exitCode: 0 | 1;
  /** The signal (SIGINT, SIGTERM) that stopped the run early: tasks after it never started. */
  interrupted?: string;
}

export function recapOf(hosts: string[], results: TaskResult[]): HostRecap[] {
  return hosts.map((host) => {
    const r: HostRecap = { host, ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0 };
    for (const t of results) if (t.host === host) r[t.status] += 1;
    return r;
  });
}
