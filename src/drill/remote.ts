// The shell commands the drill runs on the servers (pure builders). Observers run detached on
// each server and append to files under DRILL_DIR, so they survive a lost SSH connection and
// their timestamps come from the server; the drill reads the files at the end. Observers are
// stopped by the PIDs they recorded, after checking the PID still runs the same program.
import { STAMP } from "../ha/shell.js";
import { sh } from "../transport/quote.js";
import { dropRuleArgs } from "../lab/faults.js";
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

/**
 * Marks the sampler's command line (its `$0`), so it is recognised before it is stopped.
 */
const SAMPLER_NAME = "ksorch-sampler";

/**
 * The sampler's sleep between samples. A sample (date, two `ip`) takes 10-15 ms more on an
 * idle server and more under load: measured in the lab during an install wave, a 85 ms sleep
 * gave a 98 ms median with 40% of the gaps above 100 ms; 60 ms keeps most under 100 ms.
 */
export const SAMPLE_SLEEP_S = 0.06;

/**
 * The sampler's loop: every ~0.1 s a stamp line `@ <epoch ns>`, followed by `ip -o -4 addr
 * show` and `ip -o link show` only when their output differs from the previous sample's. The
 * file grows by ~20 bytes a sample while nothing changes.
 */
export const SAMPLER_SCRIPT = [
  "p=",
  "while :; do",
  "t=$(date +%s%N)",
  "s=$(ip -o -4 addr show; ip -o link show)",
  'if [ "$s" = "$p" ]; then echo "@ $t"; else p=$s; printf \'@ %s\\n%s\\n\' "$t" "$s"; fi',
  `sleep ${SAMPLE_SLEEP_S}`,
  "done",
].join("\n");

/** Samples the server's addresses and links every ~100 ms, detached, stamped by the server. */
export function startSamplerCommand(): string {
  return detached("sampler", sh`sh -c ${SAMPLER_SCRIPT} ${SAMPLER_NAME}`);
}

export function readObserverCommand(name: "monitor" | "tcpdump" | "sampler"): string {
  return sh`cat ${file(name)} 2>/dev/null || true`;
}

/** What the drill leaves running on a server, with a word of its command line to recognise it. */
const DETACHED = {
  monitor: "monitor",
  tcpdump: "tcpdump",
  sampler: SAMPLER_NAME,
  restore: "sleep",
} as const;
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

/** Exit status of a fault command that found no iptables on the server. */
export const EXIT_NO_IPTABLES = 127;

const NEED_IPTABLES = sh`command -v iptables >/dev/null 2>&1 || { echo ${"ksorch: iptables is missing on this server: install it, or use --link-fault down"} >&2; exit ${EXIT_NO_IPTABLES}; }`;

/** Deletes the drill's rules on `ifname`, every copy (an interrupted drill may have left two). */
function dropUndoPart(ifname: string): string {
  return dropRuleArgs(ifname)
    .map((r) => sh`while iptables -w -D ${r} 2>/dev/null; do :; done`)
    .join("; ");
}

/**
 * Keeps `ifname` up but drops every IP packet on it, as a bad switch port does. As for a cut
 * link, a detached timer deletes the rules after `restoreS` whatever happens to ksorch.
 */
export function dropCommand(ifname: string, restoreS: number): string {
  const insert = dropRuleArgs(ifname)
    .map((r) => sh`iptables -w -I ${r}`)
    .join(" && ");
  return [
    NEED_IPTABLES,
    detached("restore", sh`sh -c ${`sleep ${restoreS}; ${dropUndoPart(ifname)}`}`),
    STAMP,
    insert,
  ].join("; ");
}

/** Deletes the rules of dropCommand and its restore timer. */
export function undropCommand(ifname: string): string {
  return [NEED_IPTABLES, dropUndoPart(ifname), stopCommand("restore")].join("; ");
}

/** Exit 0 when the server has iptables (checked before a `drop` fault is injected). */
export function hasIptablesCommand(): string {
  return "command -v iptables >/dev/null 2>&1";
}

/** epoch nanoseconds printed by a fault command -> milliseconds; undefined if absent. */
export function stampMs(stdout: string): number | undefined {
  const first = stdout.split("\n")[0]?.trim() ?? "";
  return /^\d{16,}$/.test(first) ? Number(first) / 1e6 : undefined;
}
