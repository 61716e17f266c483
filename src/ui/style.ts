// Colours for terminal output, off when NO_COLOR is set (https://no-color.org) or the stream
// is not a terminal; and the words every renderer uses for statuses, bytes and the recap.
import type { HostRecap, TaskStatus } from "../engine/results.js";

export type Paint = (s: string) => string;

export interface Palette {
  green: Paint;
  yellow: Paint;
  red: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
}

const code =
  (open: number, close: number): Paint =>
  (s) =>
    `\u001b[${open}m${s}\u001b[${close}m`;

export function palette(enabled: boolean): Palette {
  if (!enabled) {
    const id: Paint = (s) => s;
    return { green: id, yellow: id, red: id, cyan: id, dim: id, bold: id };
  }
  return {
    green: code(32, 39),
    yellow: code(33, 39),
    red: code(31, 39),
    cyan: code(36, 39),
    dim: code(2, 22),
    bold: code(1, 22),
  };
}

export function colourWanted(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

export function paintStatus(p: Palette, s: TaskStatus): string {
  const word = s.padEnd(11);
  if (s === "ok") return p.green(word);
  if (s === "changed") return p.yellow(word);
  if (s === "skipped") return p.cyan(word);
  return p.red(word);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function recapLine(p: Palette, r: HostRecap): string {
  const n = (label: string, v: number, paint: Paint): string =>
    v > 0 ? paint(`${label}=${v}`) : `${label}=${v}`;
  return [
    r.host.padEnd(16),
    n("ok", r.ok, p.green),
    n("changed", r.changed, p.yellow),
    n("skipped", r.skipped, p.cyan),
    n("failed", r.failed, p.red),
    n("unreachable", r.unreachable, p.red),
  ].join("  ");
}

/** Colours a unified diff line by line. */
export function paintDiff(p: Palette, diff: string): string {
  return diff
    .split("\n")
    .map((l) =>
      l.startsWith("+") && !l.startsWith("+++")
        ? p.green(l)
        : l.startsWith("-") && !l.startsWith("---")
          ? p.red(l)
          : l,
    )
    .join("\n");
}
