// Parser for keepalived 2.x log lines, from syslog or from its own `--log-file`:
//   Nov 27 14:12:01 server2 Keepalived_vrrp[3026]: (VI_1) Entering MASTER STATE
//   Fri Nov 27 14:12:01 2026: (VI_1) Entering MASTER STATE
// (1.x wrote `VRRP_Instance(VI_1) ...`; both are accepted.)
import type { HaEvent, HaLogEntry } from "../types.js";
import { localToEpochMs, monthIndex, type LogClock } from "../logtime.js";

const SYSLOG_STYLE =
  /^(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d)(?:\.(\d+))? \S+ (\S+?)(?:\[\d+\])?: (.*)$/;
const OWN_STYLE = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d)(?:\.(\d+))? (\d{4}): (.*)$/;
const INSTANCE = /^(?:VRRP_Instance)?\(([^)]+)\) (.*)$/;

const EVENTS: { re: RegExp; kind: HaEvent["kind"] }[] = [
  { re: /^Entering MASTER STATE/, kind: "acquire" },
  { re: /^Entering (BACKUP|FAULT) STATE/, kind: "release" },
  {
    re: /^(Backup received priority 0 advertisement|Receive advertisement timeout)/,
    kind: "peer-dead",
  },
  { re: /^Stopped/, kind: "stopped" },
];

export function parseKeepalivedLogLine(line: string, clock: LogClock): HaLogEntry | undefined {
  const t = line.trim();
  const s = SYSLOG_STYLE.exec(t);
  const o = s ? undefined : OWN_STYLE.exec(t);
  const m = s ?? o;
  if (!m) return undefined;
  const month = monthIndex(m[1] as string);
  if (month === undefined) return undefined;
  const year = o ? Number(o[5]) : clock.year;
  const fraction = m[4] ?? "";
  const atMs = localToEpochMs({ ...clock, year }, month, Number(m[2]), m[3] as string, fraction);
  const program = s ? (s[5] as string) : "keepalived";
  const message = (s ? s[6] : o?.[6]) as string;
  const entry: HaLogEntry = {
    atMs,
    resolutionMs: fraction ? 1 : 1000,
    program,
    message,
  };
  const instance = INSTANCE.exec(message);
  const text = instance ? (instance[2] as string) : message;
  const hit = EVENTS.find((e) => e.re.test(text));
  if (hit)
    entry.event = instance
      ? { kind: hit.kind, subject: instance[1] as string }
      : { kind: hit.kind };
  return entry;
}

export function parseKeepalivedLog(text: string, clock: LogClock): HaLogEntry[] {
  return text.split("\n").flatMap((l) => parseKeepalivedLogLine(l, clock) ?? []);
}
