// keepalived 2.x: the parent's PID in /run/keepalived.pid; its VRRP child is the one holding
// the addresses, so the crash kills both by PID. ksorch expects it to log to
// /var/log/keepalived.log (`--log-file`), there being no syslog daemon on a minimal host.
import { STAMP, killTreeByPidfile } from "../shell.js";
import type { HaOps } from "../types.js";
import { parseKeepalivedLog } from "./log.js";

const PIDFILE = "/run/keepalived.pid";

export const keepalivedOps: HaOps = {
  engine: "keepalived",
  logFile: "/var/log/keepalived.log",
  parseLog: parseKeepalivedLog,
  runningProbe: `kill -0 "$(cat ${PIDFILE} 2>/dev/null)" 2>/dev/null`,
  stop: `${STAMP}; service keepalived stop`,
  crash: killTreeByPidfile(PIDFILE),
  // A start right after a stop can find the old process still exiting (lab notes): wait for it.
  start: `for i in $(seq 50); do kill -0 "$(cat ${PIDFILE} 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done; service keepalived start`,
};
