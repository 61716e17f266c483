// heartbeat 3.0.x as ksorch installs it: `logfile /var/log/ha-log` (templates/ha.cf.ejs), the
// master control process's PID in /var/run/heartbeat.pid, the init script `heartbeat`. Its
// children (FIFO reader, per-link readers and writers) carry the same name, so the crash kills
// the master and its children by PID rather than by name.
import { STAMP, killTreeByPidfile } from "../shell.js";
import type { HaOps } from "../types.js";
import { parseHeartbeatLog } from "./log.js";

const PIDFILE = "/var/run/heartbeat.pid";

export const heartbeatOps: HaOps = {
  engine: "heartbeat",
  logFile: "/var/log/ha-log",
  parseLog: parseHeartbeatLog,
  pidFile: PIDFILE,
  pidFiles: [PIDFILE],
  processName: "heartbeat",
  runningProbe: `kill -0 "$(cat ${PIDFILE} 2>/dev/null)" 2>/dev/null`,
  stop: `${STAMP}; service heartbeat stop`,
  crash: killTreeByPidfile(PIDFILE),
  // /run/heartbeat must exist (apply creates it; a rebooted lab host's boot recreates it).
  start: "service heartbeat start",
};
