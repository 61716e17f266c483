// --json: the whole report as one JSON document on stdout when the run ends; whatever shows
// progress meanwhile writes to stderr.
import type { Reporter } from "../engine/reporter.js";
import type { ApplyReport, TaskResult } from "../engine/results.js";

export class JsonReporter implements Reporter {
  constructor(
    private readonly progressTo: Reporter,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  start(hosts: string[], check: boolean): void {
    this.progressTo.start(hosts, check);
  }
  playbookStart(name: string): void {
    this.progressTo.playbookStart(name);
  }
  taskStart(host: string, playbook: string, task: string): void {
    this.progressTo.taskStart(host, playbook, task);
  }
  progress(host: string, sent: number, total: number): void {
    this.progressTo.progress(host, sent, total);
  }
  taskEnd(r: TaskResult): void {
    this.progressTo.taskEnd(r);
  }
  async finish(report: ApplyReport): Promise<void> {
    await this.progressTo.finish(report);
    this.out.write(`${JSON.stringify(report, null, 2)}\n`);
  }
}
