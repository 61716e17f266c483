// The transport a task sees: every command bounded (the task's `timeout:`, else the run's
// default), run as root or not as the task says, and a command killed at its timeout or by an
// interrupt turned into a failure of the task that names it, never into an exit code a module
// could take for an answer (a hung `service x status` is not "x is stopped").
import { TaskError } from "../errors.js";
import type { RunOptions, RunResult, Transport } from "../transport/types.js";

/** The default bound of a remote command in `apply`: a package install or a restart takes
 *  seconds to a few minutes; a tree copy needs more and says so (`timeout:` in 30-tree.yaml). */
export const DEFAULT_TASK_TIMEOUT_MS = 600_000;
/** Facts are one quick read (os-release, ip addr): a hang there is found within this. */
export const FACTS_TIMEOUT_MS = 30_000;

/** The command, cut for a message: its first line, at most 160 characters. */
export function shortCommand(command: string): string {
  const first = command.split("\n")[0] ?? "";
  return first.length <= 160 && first === command ? command : `${first.slice(0, 160)} [...]`;
}

/** Throws when `r` did not really run to its end (timed out or interrupted). */
export function mustHaveFinished(r: RunResult): RunResult {
  if (r.interrupted) throw new TaskError(`interrupted: stopped ${shortCommand(r.command)}`);
  if (r.timedOut !== undefined) throw new TaskError(`${r.timedOut}: ${shortCommand(r.command)}`);
  return r;
}

export function guarded(t: Transport, o: { timeoutMs: number; become?: boolean }): Transport {
  const extra: RunOptions = o.become === false ? { become: false } : {};
  return {
    host: t.host,
    run: async (command, opts) =>
      mustHaveFinished(await t.run(command, { timeoutMs: o.timeoutMs, ...opts, ...extra })),
    close: () => t.close(),
  };
}
