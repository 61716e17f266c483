/** `200ms`, `1s`, `2.5s`, or a bare number of seconds. */
export const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s)?$/;

/** No timing of ksorch is longer than a day: a longer one is a typo (400 digits made Infinity). */
export const MAX_DURATION_MS = 24 * 3600 * 1000;

/** `200ms` -> 200, `2.5s` -> 2500, a bare number is seconds (as in heartbeat's ha.cf). */
export function durationMs(value: string | number): number {
  const m = DURATION_RE.exec(String(value));
  if (!m) throw new Error(`not a duration: ${String(value).slice(0, 40)}`);
  const n = Number(m[1]);
  const ms = Math.round(m[2] === "ms" ? n : n * 1000);
  if (!(ms <= MAX_DURATION_MS)) throw new Error("longer than a day");
  return ms;
}
