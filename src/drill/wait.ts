// Small waiting helpers of the drill: sleep and poll-until with a deadline.
import { TaskError } from "../errors.js";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` every `everyMs` until it holds; false after `ms`. */
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
): Promise<void> {
  if (!(await pollUntil(test, ms))) throw new TaskError(message);
}

export function need<T>(map: ReadonlyMap<string, T>, name: string): T {
  const v = map.get(name);
  if (v === undefined) throw new TaskError(`${name}: not connected`);
  return v;
}

const interrupted = (signal: AbortSignal): TaskError =>
  new TaskError(`interrupted by ${String(signal.reason)}`);

/** Throws a TaskError naming the signal once `signal` has aborted (SIGINT, SIGTERM). */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interrupted(signal);
}

/** `p`, unless `signal` aborts first: then a TaskError naming the signal (p runs on). */
export function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  checkAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(interrupted(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
