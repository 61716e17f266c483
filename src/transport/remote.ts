// How a command runs on the host: killable as one process group and bounded in time, whoever
// logs in (root or sudo). Pure builders; the SSH transport sends them.
import { sh } from "./quote.js";
import type { RunResult } from "./types.js";

/** First line of every command's stderr: the process group to kill it by (see remoteCommand). */
export const PGID_MARK = "@@ksorch-pgid:";

/**
 * The command as the host runs it: killable as one process group, and bounded. The shell that
 * sshd (or sudo) starts prints its PID, then becomes timeout(1), which makes that PID its
 * process group (a session leader already is one) and kills the whole group with SIGKILL when
 * the time is up; on SIGTERM it passes the signal to the group (GNU coreutils timeout.c,
 * `cleanup`). Daemons a command starts leave the group (setsid), so they survive both.
 */
export function remoteCommand(command: string, timeoutMs: number): string {
  const seconds = Math.max(0.1, timeoutMs / 1000);
  return `echo ${PGID_MARK}$$ >&2; exec ${sh`timeout -s KILL ${seconds} sh -c ${command}`}`;
}

/** Kills process groups on the host; groups already gone are no error. */
export function killGroups(signal: "TERM" | "KILL", groups: readonly number[]): string {
  return `kill -s ${signal} -- ${groups.map((g) => `-${g}`).join(" ")} 2>/dev/null; true`;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** What a command asked for after an interrupt gets: it never ran. */
export function interruptedResult(command: string): RunResult {
  const stderr = "ksorch: not run: ksorch was interrupted\n";
  return { command, exitCode: 130, stdout: "", stderr, durationMs: 0, interrupted: true };
}
