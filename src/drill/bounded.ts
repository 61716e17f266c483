// Commands to a server that may not answer: a frozen server's sshd is stopped, so a command
// sent to it waits until the server resumes (the SSH transport's own timeout starts only once
// the server opened the channel). The drill must not wait with it: a bounded run gives up
// after its deadline and reports "no answer"; while that unanswered command is pending, later
// bounded runs on the same connection give up at once instead of queueing behind it.
import type { RunResult, Transport } from "../transport/types.js";

export type Bounded = { ok: true; result: RunResult } | { ok: false; error: string };

const unanswered = new WeakMap<Transport, Promise<unknown>>();

export async function boundedRun(t: Transport, command: string, ms: number): Promise<Bounded> {
  if (unanswered.has(t)) {
    return { ok: false, error: `${t.host} has not answered an earlier command yet` };
  }
  const running = t.run(command, { timeoutMs: ms });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  try {
    const first = await Promise.race([running, late]);
    if (first !== "late") return { ok: true, result: first };
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    unanswered.set(t, settled);
    void settled.then(() => {
      if (unanswered.get(t) === settled) unanswered.delete(t);
    });
    return { ok: false, error: `no answer from ${t.host} within ${ms} ms` };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** True while a bounded run on `t` is still unanswered. */
export function isUnanswered(t: Transport): boolean {
  return unanswered.has(t);
}

/** Resolves `p`, or `undefined` after `ms` (a close that waits for a hung server). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
