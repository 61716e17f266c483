// Timestamps of daemon log files. Syslog style (`Nov 27 14:12:01`) has no year and no zone: the
// caller gives the year and the server's UTC offset (`date +%z`), so lines compare with the
// drill's clock.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface LogClock {
  year: number;
  /** Server's offset from UTC in minutes, e.g. +60 for `+0100`. */
  utcOffsetMinutes: number;
}

/** Epoch milliseconds of a local wall-clock time on a server with `clock`'s offset. */
export function localToEpochMs(
  clock: LogClock,
  month: number,
  day: number,
  hms: string,
  fraction = "",
): number {
  const [h, m, s] = hms.split(":").map(Number) as [number, number, number];
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  return Date.UTC(clock.year, month, day, h, m, s, ms) - clock.utcOffsetMinutes * 60_000;
}

export function monthIndex(name: string): number | undefined {
  const i = MONTHS.indexOf(name);
  return i < 0 ? undefined : i;
}

/** `+0100` / `-0530` as minutes; undefined when it is not such an offset. */
export function parseUtcOffset(text: string): number | undefined {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}
