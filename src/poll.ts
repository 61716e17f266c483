// Waiting, in one place: sleep, and poll-until with a deadline (the drill, the lab, the
// transport and the engine all wait with these).
import { TaskError } from "./errors.js";

/** On the global setTimeout, which tests with fake timers (vi.useFakeTimers) drive. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `test` every `everyMs` until it holds; false after `ms`. `test` runs at once, and once
 * more after the sleep that passes the deadline.
 */
export async function pollUntil(
  test: () => Promise<boolean>,
  ms: number,
  everyMs = 50,
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await test()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}

/** As pollUntil, but a timeout is a TaskError with `message`. */
export async function waitFor(
  test: () => Promise<boolean>,
  ms: number,
  message: string,
  everyMs?: number,
): Promise<void> {
  if (!(await pollUntil(test, ms, everyMs))) throw new TaskError(message);
}
