import { basename } from "node:path";
import { osLayout } from "../inventory/layout.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** VRRP router ids 50, 51, ...: one per VIP, the same on every server. */
const FIRST_VRID = 50;
const OWNER_PRIORITY = 200;
const FIRST_BACKUP_PRIORITY = 100;

/**
 * Priority of server `s` for the VIP of server `owner`: the owner highest, then the others in
 * ring order (owner + 1 first), matching the planner's choice of backup.
 */
export function vrrpPriority(owner: number, s: number, serverCount: number): number {
  if (s === owner) return OWNER_PRIORITY;
  const distance = (s - owner + serverCount) % serverCount;
  return FIRST_BACKUP_PRIORITY - (distance - 1);
}

/** keepalived.conf, for the keepalived engine (any number of servers). */
export function keepalivedFiles({ inv, server, layout }: RenderContext): RenderedFile[] {
  const me = inv.servers.indexOf(server);
  const n = inv.servers.length;
  const instances = inv.servers.map((owner, i) => ({
    name: `VIP_${owner.name.replaceAll("-", "_")}`,
    vrid: FIRST_VRID + i,
    priority: vrrpPriority(i, me, n),
    vip: owner.vip,
    dhcp: i === 0 ? osLayout(server.os).services.dhcp : undefined,
  }));
  const content = renderTemplate("keepalived.conf", {
    inventory: basename(inv.file),
    server: server.name,
    instances,
    hbIface: server.heartbeat.interface,
    hbAddress: server.heartbeat.address,
    peers: inv.servers.filter((s) => s !== server).map((s) => s.heartbeat.address),
    // VRRPv3 counts in centiseconds.
    advertInt: Math.max(Math.round(inv.ha.keepaliveMs / 10), 1) / 100,
    autoFailback: inv.ha.autoFailback,
    prefix: inv.network.prefixLength,
    lanIface: server.interface,
  });
  return [rendered(layout.keepalivedConf, content, "ha")];
}
