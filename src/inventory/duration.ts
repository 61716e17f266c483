import { DURATION_RE } from "./schema.js";

/** `200ms` -> 200, `2.5s` -> 2500, a bare number is seconds (as in heartbeat's ha.cf). */
export function durationMs(value: string | number): number {
  const m = DURATION_RE.exec(String(value));
  if (!m) throw new Error(`not a duration: ${String(value)}`);
  const n = Number(m[1]);
  return Math.round(m[2] === "ms" ? n : n * 1000);
}
