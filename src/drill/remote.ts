// The shell commands the drill runs on the servers (pure builders). Observers run detached on
// each server and append to files under DRILL_DIR, so they survive a lost SSH connection and
// their timestamps come from the server; the drill reads the files at the end. Observers are
// stopped by the PIDs they recorded, after checking the PID still runs the same program.
import { STAMP } from "../ha/shell.js";
import { sh } from "../transport/quote.js";
import { captureFilter } from "./tcpdump.js";

/** On disk, not tmpfs: a power-cycled server keeps what its observers wrote before the fault. */
export const DRILL_DIR = "/var/tmp/ksorch-drill";

const file = (name: string): string => `${DRILL_DIR}/${name}`;

/** Starts `command` detached, output appended to `name`, PID in `name.pid`. */
function detached(name: string, command: string): string {
  return `setsid ${command} >>${file(name)} 2>>${file(`${name}.err`)} </dev/null & echo $! >${file(`${name}.pid`)}`;
}

/** A fresh drill directory; stops observers a previous, interrupted drill left running. */
export function prepareCommand(): string {
  return [stopObserversCommand(), sh`rm -rf ${DRILL_DIR} && mkdir -p ${DRILL_DIR}`].join("; ");
}

/** Address and link changes, stamped by the server in UTC. */
export function startMonitorCommand(): string {
  return detached("monitor", "env TZ=UTC0 ip -o -ts monitor address link");
}

/** ARP, DHCP and VIP traffic on the LAN interface, line buffered with epoch timestamps. */
export function startCaptureCommand(lanInterface: string, vips: readonly string[]): string {
  return detached("tcpdump", sh`tcpdump -l -n -e -tt -i ${lanInterface} ${captureFilter(vips)}`);
}

/** Exits 0 once tcpdump has opened its capture (it says so on stderr). */
export function captureReadyCommand(): string {
  return sh`grep -q 'listening on' ${file("tcpdump.err")}`;
}

/** Size of the HA log now: the drill reads only what is appended after it. */
export function logOffsetCommand(logFile: string): string {
  return sh`stat -c %s ${logFile} 2>/dev/null || echo 0`;
}

export function readLogCommand(logFile: string, offset: number): string {
  return sh`tail -c +${offset + 1} ${logFile} 2>/dev/null || true`;
}

export function readObserverCommand(name: "monitor" | "tcpdump"): string {
  return sh`cat ${file(name)} 2>/dev/null || true`;
}

/** What the drill leaves running on a server, with a word of its command line to recognise it. */
const DETACHED = { monitor: "monitor", tcpdump: "tcpdump", restore: "sleep" } as const;
type Detached = keyof typeof DETACHED;

/** Kills a recorded process if /proc still shows its program: after a reboot a PID may be reused. */
function stopCommand(name: Detached): string {
  const pidFile = file(`${name}.pid`);
  return sh`if p=$(cat ${pidFile} 2>/dev/null) && tr '\\0' ' ' </proc/"$p"/cmdline 2>/dev/null | grep -q ${DETACHED[name]}; then kill "$p"; fi; rm -f ${pidFile}`;
}

export function stopObserversCommand(): string {
  return (Object.keys(DETACHED) as Detached[]).map(stopCommand).join("; ");
}

/**
 * Takes the LAN link down on a real server. A detached timer brings it back after `restoreS`
 * whatever happens to ksorch: when management runs over the same link, the drill loses its
 * connection until then.
 */
export function linkDownCommand(lanInterface: string, restoreS: number): string {
  return [
    detached("restore", sh`sh -c ${sh`sleep ${restoreS}; ip link set dev ${lanInterface} up`}`),
    STAMP,
    sh`ip link set dev ${lanInterface} down`,
  ].join("; ");
}

export function linkUpCommand(lanInterface: string): string {
  return [sh`ip link set dev ${lanInterface} up`, stopCommand("restore")].join("; ");
}

/** epoch nanoseconds printed by a fault command -> milliseconds; undefined if absent. */
export function stampMs(stdout: string): number | undefined {
  const first = stdout.split("\n")[0]?.trim() ?? "";
  return /^\d{16,}$/.test(first) ? Number(first) / 1e6 : undefined;
}
