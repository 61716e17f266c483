import { dirname } from "node:path";
import { keepalivedOps } from "../ha/keepalived/ops.js";
import { LAN_FAULT_FILE, READY_SCRIPT } from "./guard.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** Gratuitous ARPs on becoming MASTER: a burst over one second, another three seconds later. */
const GARP = { repeat: 5, intervalS: 0.2, delayS: 3 } as const;

/** VRRP router ids 50, 51, ...: one per VIP, the same on every server. */
const FIRST_VRID = 50;
const OWNER_PRIORITY = 200;
const FIRST_BACKUP_PRIORITY = 150;
const LAST_BACKUP_PRIORITY = 10;

/**
 * Priority of server `s` for the VIP of server `owner`: the owner highest, then the others in
 * ring order (owner + 1 first), matching the planner's choice of backup. Backups are spread
 * over 150..10 rather than one apart: a backup's master-down timer is 3 adverts plus a skew of
 * (256 - priority)/256 of an advert, so priorities one apart time out within 0.4 ms of each
 * other and both backups became master when the owner lost power (measured on the lab).
 */
export function vrrpPriority(owner: number, s: number, serverCount: number): number {
  if (s === owner) return OWNER_PRIORITY;
  const distance = (s - owner + serverCount) % serverCount;
  const step = Math.floor(
    (FIRST_BACKUP_PRIORITY - LAST_BACKUP_PRIORITY) / Math.max(1, serverCount - 2),
  );
  return FIRST_BACKUP_PRIORITY - (distance - 1) * step;
}

/** The VRRP instance of a server's VIP: `VIP_<server>`, a valid keepalived name. */
export function vrrpInstanceName(serverName: string): string {
  return `VIP_${serverName.replaceAll("-", "_")}`;
}

/**
 * keepalived.conf and its notify script, for the keepalived engine (any number of servers).
 * dhcpd (dhcp.server: isc) follows the first server's VIP, as it does with heartbeat's
 * haresources.
 */
export function keepalivedFiles({ inv, server, layout }: RenderContext): RenderedFile[] {
  const me = inv.servers.indexOf(server);
  const first = inv.servers[0];
  const n = inv.servers.length;
  const cluster = inv.name;
  const notifyScript = `${dirname(layout.keepalivedConf)}/ksorch-notify.sh`;
  const instances = inv.servers.map((owner, i) => ({
    name: vrrpInstanceName(owner.name),
    vrid: FIRST_VRID + i,
    priority: vrrpPriority(i, me, n),
    vip: owner.vip,
    dhcp: i === 0,
  }));
  const conf = renderTemplate("keepalived.conf", {
    cluster,
    server: server.name,
    instances,
    lanAddress: server.address,
    peers: inv.servers.filter((s) => s !== server).map((s) => s.address),
    faultFile: LAN_FAULT_FILE,
    readyScript: READY_SCRIPT,
    ping: inv.ha.ping,
    garp: GARP,
    // VRRPv3 counts in centiseconds.
    advertInt: Math.max(Math.round(inv.ha.keepaliveMs / 10), 1) / 100,
    autoFailback: inv.ha.autoFailback,
    prefix: inv.network.prefixLength,
    lanIface: server.interface,
    notifyScript,
  });
  const notify = renderTemplate("keepalived-notify.sh", {
    cluster,
    server: server.name,
    logFile: keepalivedOps.logFile,
    // Kea runs on every server; its HA hook, not a VIP, decides who answers.
    dhcp: first &&
      inv.dhcp.server === "isc" && {
        instance: vrrpInstanceName(first.name),
        vip: first.vip,
        service: layout.services.dhcp,
        lanIface: server.interface,
      },
  });
  return [
    rendered(layout.keepalivedConf, conf, "ha"),
    rendered(notifyScript, notify, "ha", { mode: 0o755 }),
  ];
}
