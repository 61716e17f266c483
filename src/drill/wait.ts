// The drill's connections by name and its interruption (SIGINT, SIGTERM) while it waits; the
// waiting itself is ../poll.ts.
import { TaskError } from "../errors.js";

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
