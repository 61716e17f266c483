// Parser for heartbeat 3.0.x log files (`logfile` in ha.cf). One file holds up to three line
// formats: the daemon writes syslog style through cluster-glue, the resource scripts write
// through ha_logger with the date first, and older cluster-glue puts the date after the program:
//   Nov 27 14:29:30 server2 heartbeat: [1665]: WARN: node server1: is dead
//   2026/11/27_14:29:27  ResourceManager(default)[2274]:    info: Acquiring resource group: ...
//   heartbeat[2345]: 2026/11/27_14:12:01 WARN: node server1: is dead
// The messages classified below come from heartbeat's binary and its ResourceManager and
// mach_down scripts (Debian heartbeat 3.0.6).
import type { HaEvent, HaLogEntry } from "../types.js";
import { localToEpochMs, monthIndex, type LogClock } from "../logtime.js";

const SYSLOG_STYLE = /^(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) \S+ (\S+?):(?: \[\d+\]:)? (.*)$/;
const OWN_STYLE = /^(\S+?)\[\d+\]: (\d{4})\/(\d\d)\/(\d\d)_(\d\d:\d\d:\d\d) (.*)$/;
const SCRIPT_STYLE = /^(\d{4})\/(\d\d)\/(\d\d)_(\d\d:\d\d:\d\d)\s+(\S+?)\[\d+\]:\s+(.*)$/;
const LEVEL = /^(EMERG|ALERT|CRIT|CRITICAL|ERROR|WARN|WARNING|notice|info|INFO|debug): ?(.*)$/;

/** Messages that mark a step of a failover, most specific first. */
const EVENTS: { re: RegExp; event: (m: RegExpExecArray) => HaEvent }[] = [
  { re: /node (\S+): is dead/, event: (m) => ({ kind: "peer-dead", node: m[1] }) },
  {
    re: /Received shutdown notice from '([^']+)'/,
    event: (m) => ({ kind: "peer-leaving", node: m[1] }),
  },
  {
    re: /Taking over resource group (\S+)/,
    event: (m) => ({ kind: "takeover-start", subject: m[1] }),
  },
  {
    re: /mach_down takeover complete(?: for node (\S+?))?\.?$/,
    event: (m) => ({ kind: "takeover-complete", node: m[1] }),
  },
  {
    re: /Acquiring resource group: (\S+) (.+)$/,
    event: (m) => ({ kind: "acquire", node: m[1], subject: m[2] }),
  },
  {
    re: /Releasing resource group: (\S+) (.+)$/,
    event: (m) => ({ kind: "release", node: m[1], subject: m[2] }),
  },
  { re: /Heartbeat shutdown complete/, event: () => ({ kind: "stopped" }) },
  {
    re: /Late heartbeat: Node (\S+):/,
    event: (m) => ({ kind: "late-heartbeat", node: m[1] }),
  },
];

/** One log line, or undefined when it is not in either heartbeat format. */
export function parseHeartbeatLogLine(line: string, clock: LogClock): HaLogEntry | undefined {
  const parsed = splitLine(line.trim(), clock);
  if (!parsed) return undefined;
  const level = LEVEL.exec(parsed.rest);
  const message = (level ? (level[2] as string) : parsed.rest).trim();
  const entry: HaLogEntry = {
    atMs: parsed.atMs,
    resolutionMs: 1000,
    program: parsed.program.replace(/\[\d+\]$/, ""),
    message,
  };
  if (level) entry.level = level[1] as string;
  const event = classify(message);
  if (event) entry.event = event;
  return entry;
}

export function parseHeartbeatLog(text: string, clock: LogClock): HaLogEntry[] {
  return text.split("\n").flatMap((l) => parseHeartbeatLogLine(l, clock) ?? []);
}

function splitLine(
  line: string,
  clock: LogClock,
): { atMs: number; program: string; rest: string } | undefined {
  const s = SYSLOG_STYLE.exec(line);
  if (s) {
    const month = monthIndex(s[1] as string);
    if (month === undefined) return undefined;
    const atMs = localToEpochMs(clock, month, Number(s[2]), s[3] as string);
    return { atMs, program: s[4] as string, rest: s[5] as string };
  }
  const d = SCRIPT_STYLE.exec(line);
  if (d) {
    const atMs = localToEpochMs(
      { ...clock, year: Number(d[1]) },
      Number(d[2]) - 1,
      Number(d[3]),
      d[4] as string,
    );
    return { atMs, program: d[5] as string, rest: d[6] as string };
  }
  const o = OWN_STYLE.exec(line);
  if (o) {
    const atMs = localToEpochMs(
      { ...clock, year: Number(o[2]) },
      Number(o[3]) - 1,
      Number(o[4]),
      o[5] as string,
    );
    return { atMs, program: o[1] as string, rest: o[6] as string };
  }
  return undefined;
}

function classify(message: string): HaEvent | undefined {
  for (const { re, event } of EVENTS) {
    const m = re.exec(message);
    if (m) return dropUndefined(event(m));
  }
  return undefined;
}

function dropUndefined(e: HaEvent): HaEvent {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as HaEvent;
}
