// Running a drill command that must succeed: a failure is a TaskError naming the host and step.
import { TaskError } from "../errors.js";
import type { Transport } from "../transport/types.js";

export async function mustRun(
  t: Transport,
  command: string,
  what: string,
  timeoutMs = 60_000,
): Promise<string> {
  const r = await t.run(command, { timeoutMs });
  if (r.exitCode !== 0) {
    throw new TaskError(`${t.host}: cannot ${what} (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}
