// Plain lines, one per finished task, for pipes, logs and CI. No cursor movement.
import type { Reporter } from "../engine/reporter.js";
import type { ApplyReport, TaskResult } from "../engine/results.js";
import { printable } from "../errors.js";
import { formatBytes, formatMs, paintDiff, paintStatus, recapLine, type Palette } from "./style.js";

export function resultLine(p: Palette, r: TaskResult): string {
  // A task's name may be rendered from variables, and a reason may hold what the host printed
  // (a command's stderr): both escaped, so each stays on its line.
  const what = printable(
    r.handler ? `${r.playbook} / handler: ${r.task}` : `${r.playbook} / ${r.task}`,
  );
  const detail = r.status === "changed" ? r.summary : r.reason;
  const bytes = r.bytes ? `, ${formatBytes(r.bytes)}` : "";
  return `${p.bold(r.host.padEnd(12))} ${paintStatus(p, r.status)} ${what} ${p.dim(`(${formatMs(r.durationMs)}${bytes})`)}${detail ? ` ${p.dim(`- ${printable(detail)}`)}` : ""}`;
}

export function recapText(p: Palette, report: ApplyReport): string {
  const changed = report.results.filter((r) => r.status === "changed").length;
  return [
    "",
    p.bold(`RECAP${report.check ? " (check mode: nothing was changed)" : ""}`),
    ...report.recap.map((r) => recapLine(p, r)),
    p.dim(`${report.pairs} task-host pairs, ${changed} changed, in ${formatMs(report.durationMs)}`),
    ...(report.interrupted
      ? [
          p.bold(
            `INTERRUPTED by ${report.interrupted}: no task started after it; the commands that were running were stopped`,
          ),
        ]
      : []),
  ].join("\n");
}

export class PlainReporter implements Reporter {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly p: Palette,
  ) {}

  private write(line: string): void {
    this.out.write(`${line}\n`);
  }

  start(hosts: string[], check: boolean): void {
    this.write(`apply to ${hosts.join(", ")}${check ? " (check mode)" : ""}`);
  }

  playbookStart(name: string): void {
    this.write(this.p.bold(`== ${name}`));
  }

  taskStart(): void {}

  progress(): void {}

  taskEnd(r: TaskResult): void {
    this.write(resultLine(this.p, r));
    if (r.diff) this.write(paintDiff(this.p, r.diff.trimEnd()));
  }

  finish(report: ApplyReport): void {
    this.write(recapText(this.p, report));
  }
}
