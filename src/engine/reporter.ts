// What the engine tells the UI while it runs. Renderers (src/ui) implement it; the engine never
// prints.
import type { ApplyReport, TaskResult } from "./results.js";

export interface Reporter {
  start(hosts: string[], check: boolean): void;
  playbookStart(name: string): void;
  taskStart(host: string, playbook: string, task: string): void;
  /** Bytes sent so far by the running task of `host` (tree copies). */
  progress(host: string, sent: number, total: number): void;
  taskEnd(result: TaskResult): void;
  finish(report: ApplyReport): Promise<void> | void;
}

export const silentReporter: Reporter = {
  start: () => undefined,
  playbookStart: () => undefined,
  taskStart: () => undefined,
  progress: () => undefined,
  taskEnd: () => undefined,
  finish: () => undefined,
};
