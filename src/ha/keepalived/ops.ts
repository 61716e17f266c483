// keepalived 2.x: the parent's PID in /run/keepalived.pid; its VRRP child is the one holding
// the addresses, so the crash kills both by PID. Debian's build logs only to syslog (no
// `--log-file`) and a minimal host runs no syslog daemon: the notify script ksorch installs
// (templates/keepalived-notify.sh.ejs) writes every state change to /var/log/keepalived.log in
// keepalived's own format, with milliseconds.
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
