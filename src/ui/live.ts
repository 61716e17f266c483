// The terminal view: listr2 with one row per host, updated live: current playbook and task,
// counts so far, elapsed time, and the bytes of a running tree copy. Diffs and the recap are
// printed once the view is done, so they are not redrawn over.
import { Listr, ProcessOutput } from "listr2";
import type { Reporter } from "../engine/reporter.js";
import type { ApplyReport, TaskResult } from "../engine/results.js";
import { printable } from "../errors.js";
import { resultLine, recapText } from "./plain.js";
import { formatBytes, formatMs, paintDiff, type Palette } from "./style.js";

interface Row {
  current: string;
  startedAt: number;
  counts: Record<TaskResult["status"], number>;
  bytes?: { sent: number; total: number };
  failures: string[];
  done: () => void;
  /** The listr2 task wrapper; only its title is used. */
  wrapper?: { title: string };
}

export class LiveReporter implements Reporter {
  private rows = new Map<string, Row>();
  private run?: Promise<unknown>;
  private timer?: NodeJS.Timeout;
  private diffs: string[] = [];
  private t0 = performance.now();

  constructor(
    private readonly p: Palette,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  private title(host: string, r: Row): string {
    const c = r.counts;
    const counts = `${this.p.green(`ok ${c.ok}`)} ${this.p.yellow(`changed ${c.changed}`)}${c.failed + c.unreachable > 0 ? ` ${this.p.red(`failed ${c.failed + c.unreachable}`)}` : ""}`;
    const bytes = r.bytes
      ? ` ${this.p.cyan(`${formatBytes(r.bytes.sent)}/${formatBytes(r.bytes.total)}`)}`
      : "";
    return `${this.p.bold(host.padEnd(12))} ${counts}  ${printable(r.current)}${bytes} ${this.p.dim(formatMs(performance.now() - r.startedAt))}`;
  }

  private refresh(): void {
    for (const [host, r] of this.rows) if (r.wrapper) r.wrapper.title = this.title(host, r);
  }

  start(hosts: string[]): void {
    this.t0 = performance.now();
    const listr = new Listr(
      hosts.map((host) => ({
        title: host,
        task: (_ctx: unknown, wrapper: { title: string }) =>
          new Promise<void>((resolve, reject) => {
            const row: Row = {
              current: "connecting",
              startedAt: performance.now(),
              counts: { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0 },
              failures: [],
              done: () =>
                row.failures.length > 0 ? reject(new Error(this.title(host, row))) : resolve(),
              wrapper,
            };
            this.rows.set(host, row);
          }),
      })),
      {
        concurrent: true,
        exitOnError: false,
        // ksorch handles SIGINT itself (src/cli/signals.ts): it stops the servers' commands and
        // prints the recap; listr2's own handler would exit at once.
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: false, formatOutput: "truncate" },
        // The view goes to stderr like all progress, so stdout stays clean.
        processOutput: new ProcessOutput(this.out, this.out),
      } as ConstructorParameters<typeof Listr>[1],
    );
    this.run = listr.run().catch(() => undefined);
    this.timer = setInterval(() => this.refresh(), 100);
  }

  playbookStart(): void {}

  taskStart(host: string, playbook: string, task: string): void {
    const r = this.rows.get(host);
    if (!r) return;
    r.current = `${playbook} / ${task}`;
    delete r.bytes;
  }

  progress(host: string, sent: number, total: number): void {
    const r = this.rows.get(host);
    if (r) r.bytes = { sent, total };
  }

  taskEnd(t: TaskResult): void {
    const r = this.rows.get(t.host);
    if (!r) return;
    r.counts[t.status] += 1;
    if (t.status === "failed" || t.status === "unreachable") r.failures.push(resultLine(this.p, t));
    if (t.diff) this.diffs.push(`${resultLine(this.p, t)}\n${paintDiff(this.p, t.diff.trimEnd())}`);
  }

  async finish(report: ApplyReport): Promise<void> {
    for (const [host, r] of this.rows) {
      r.current = r.failures.length > 0 ? "stopped" : "done";
      if (r.wrapper) r.wrapper.title = this.title(host, r);
      r.done();
    }
    await this.run;
    if (this.timer) clearInterval(this.timer);
    const failures = [...this.rows.values()].flatMap((r) => r.failures);
    const text = [...this.diffs, ...failures, recapText(this.p, report)].join("\n");
    this.out.write(`${text}\n`);
  }
}
