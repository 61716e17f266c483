// keepalived 2.x: the parent's PID in /run/keepalived.pid, its VRRP child's (the one holding
// the addresses) in /run/vrrp.pid; the crash kills both by PID. Debian's build logs only to
// syslog (no `--log-file`) and a minimal host runs no syslog daemon: the notify script ksorch
// installs (templates/keepalived-notify.sh.ejs) writes every state change to
// /var/log/keepalived.log in keepalived's own format, with milliseconds.
import { STAMP } from "../shell.js";
import type { HaOps } from "../types.js";
import { parseKeepalivedLog } from "./log.js";

const PIDFILE = "/run/keepalived.pid";
/** The VRRP child's pidfile (keepalived 2.x default). */
const VRRP_PIDFILE = "/run/vrrp.pid";

export const keepalivedOps: HaOps = {
  engine: "keepalived",
  logFile: "/var/log/keepalived.log",
  parseLog: parseKeepalivedLog,
  pidFile: PIDFILE,
  pidFiles: [PIDFILE, VRRP_PIDFILE],
  processName: "keepalived",
  runningProbe: `kill -0 "$(cat ${PIDFILE} 2>/dev/null)" 2>/dev/null`,
  stop: `${STAMP}; service keepalived stop`,
  crash: [
    `m=$(cat ${PIDFILE}) || exit 3`,
    `v=$(cat ${VRRP_PIDFILE}) || exit 3`,
    STAMP,
    // Frozen first: the VRRP child gets SIGTERM when its parent dies and, if it ran before its
    // own SIGKILL, would hand its VIPs over cleanly (3 of 5 lab drills did). By pidfile, not
    // by parent: keepalived adopts the dhcpd its notify script starts, and a crash of
    // keepalived does not take dhcpd with it.
    'kill -STOP "$m" "$v"',
    'kill -9 "$m" "$v"',
  ].join("; "),
  start: `for i in $(seq 50); do kill -0 "$(cat ${PIDFILE} 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done; service keepalived start`,
};
