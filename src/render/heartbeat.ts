import { basename } from "node:path";
import { osLayout } from "../inventory/layout.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** ha.cf takes `200ms` or whole seconds. */
function haTime(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : `${ms}ms`;
}

/** `server1 IPaddr::192.168.0.253/24/eth0 isc-dhcp-server`: one line per server. */
export function haresourcesLines({ inv }: Pick<RenderContext, "inv">): string[] {
  return inv.servers.map((s, i) => {
    const ip = `IPaddr::${s.vip}/${inv.network.prefixLength}/${s.interface}`;
    // dhcpd must run exactly once on the LAN: it follows the first server's VIP.
    return i === 0 ? `${s.name} ${ip} ${osLayout(s.os).services.dhcp}` : `${s.name} ${ip}`;
  });
}

/** ha.cf, haresources and authkeys, for the heartbeat engine. */
export function heartbeatFiles(ctx: RenderContext): RenderedFile[] {
  const { inv, server, layout, secrets } = ctx;
  const inventory = basename(inv.file);
  const ha = inv.ha;
  const haCf = renderTemplate("ha.cf", {
    inventory,
    server: server.name,
    keepalive: haTime(ha.keepaliveMs),
    warntime: haTime(ha.warntimeMs),
    deadtime: haTime(ha.deadtimeMs),
    initdead: haTime(ha.initdeadMs),
    udpport: ha.udpPort,
    iface: server.heartbeat.interface,
    peers: inv.servers.filter((s) => s !== server).map((s) => s.heartbeat.address),
    autoFailback: ha.autoFailback,
    nodes: inv.servers.map((s) => s.name),
  });
  const haresources = renderTemplate("haresources", { inventory, lines: haresourcesLines(ctx) });
  const authkeys = renderTemplate("authkeys", { key: secrets.haKey });
  return [
    rendered(`${layout.haDir}/ha.cf`, haCf, "ha"),
    rendered(`${layout.haDir}/haresources`, haresources, "ha"),
    rendered(`${layout.haDir}/authkeys`, authkeys, "ha", { secret: true }),
  ];
}
