// ksorch's HA guard on every server (templates/ha-guard.sh.ejs), and what starts it at boot.
// The guard is ksorch's answer to the faults an HA engine cannot handle from inside: its own
// death (nobody removes its VIPs), a stopped server waking up (it fights for VIPs its peer
// took), and a lost LAN while the HA link still works (the peer sees it alive). A supervisor
// of the engine would restart it, not release what it held; heartbeat's own watchdog needs
// /dev/watchdog and reboots the whole server. The guard releases, and only what it must.
import { haOps } from "../ha/engine.js";
import { TFTP_PRIME } from "./boot.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** keepalived tracks this file (templates/keepalived.conf.ejs): 1 puts every instance in FAULT. */
export const LAN_FAULT_FILE = "/run/ksorch-lan-fault";

/** Exits 0 once the install services listen, tftpd primed (templates/ha-ready.sh.ejs). */
export const READY_SCRIPT = "/usr/local/sbin/ksorch-ready";

/** How long heartbeat's VIP resource waits for the services before it adds the VIP anyway. */
export const READY_WAIT_S = 30;

/** How long a graceful handover waits for the TFTP transfers in flight from a VIP. */
export const TFTP_DRAIN_S = 3;

const HB_TOOLS = "/usr/share/heartbeat";

/**
 * How long this server may stand still before the guard restarts its engine, in milliseconds.
 * heartbeat: its deadtime, after which the peer has taken over and a waking heartbeat would
 * declare the peer dead in turn and take every VIP. keepalived settles a waking master by
 * priority within an advert, so the guard steps in only past a second (and past VRRPv3's
 * master-down interval, three adverts).
 */
export function frozenAfterMs({ inv }: Pick<RenderContext, "inv">): number {
  return inv.ha.engine === "heartbeat" ? inv.ha.deadtimeMs : Math.max(1000, 4 * inv.ha.keepaliveMs);
}

export function guardFiles(ctx: RenderContext): RenderedFile[] {
  const { inv, server, layout } = ctx;
  const cluster = inv.name;
  const ops = haOps(inv.ha.engine);
  const log = `>>"$LOG" 2>&1 &`;
  const handover =
    inv.ha.engine === "heartbeat"
      ? {
          lanLost: `${HB_TOOLS}/hb_standby all ${log}`,
          // With auto_failback off the peer keeps what it took, as after any takeover.
          lanBack: inv.ha.autoFailback ? `${HB_TOOLS}/hb_takeover local ${log}` : ":",
          lanReset: ":",
        }
      : {
          lanLost: `echo 1 >${LAN_FAULT_FILE}`,
          lanBack: `echo 0 >${LAN_FAULT_FILE}`,
          lanReset: `echo 0 >${LAN_FAULT_FILE}`,
        };
  const script = renderTemplate("ha-guard.sh", {
    cluster,
    server: server.name,
    engine: inv.ha.engine,
    lanIface: server.interface,
    vips: inv.servers.map((s) => `${s.vip}/${inv.network.prefixLength}`),
    pidfile: ops.pidFile,
    pidfiles: ops.pidFiles,
    comm: ops.processName,
    // After the guard killed the engine's process group and removed its pidfile.
    start: `service ${layout.services[inv.ha.engine]} start`,
    frozenCs: Math.ceil(frozenAfterMs(ctx) / 10),
    logFile: "/var/log/ksorch-ha-guard.log",
    ping: inv.ha.ping,
    peersLan: inv.servers.filter((s) => s !== server).map((s) => s.address),
    // Only dhcpd is tied to a VIP; Kea's HA hook notices a dead peer by itself.
    dhcpService: inv.dhcp.server === "isc" ? layout.services.dhcp : undefined,
    ...handover,
  });
  const boot = renderTemplate(layout.guard.boot.template, {
    cluster,
    script: layout.guard.script,
    service: layout.guard.service,
  });
  const ready = renderTemplate("ha-ready.sh", {
    cluster,
    server: server.name,
    path: READY_SCRIPT,
    tftpPort: 69,
    treePort: inv.install.protocol === "ftp" ? 21 : 80,
    primedFile: "/run/ksorch-tftpd-primed",
    prime: TFTP_PRIME,
  });
  return [
    rendered(READY_SCRIPT, ready, "guard", { mode: 0o755 }),
    rendered(layout.guard.script, script, "guard", { mode: 0o755 }),
    rendered(layout.guard.boot.path, boot, "guard", {
      mode: layout.guard.boot.template === "ha-guard.init" ? 0o755 : 0o644,
    }),
  ];
}
