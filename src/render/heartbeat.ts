import { serverLayout } from "../inventory/layout.js";
import { quote } from "../transport/quote.js";
import { READY_SCRIPT, READY_WAIT_S, TFTP_DRAIN_S } from "./guard.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** ha.cf takes `200ms` or whole seconds. */
function haTime(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : `${ms}ms`;
}

/** The resource script that fences a peer before its group is taken (templates/ha-fence.sh.ejs). */
export const FENCE_RESOURCE = "ksorch-fence";

/** The resource script that holds a VIP (templates/ha-vip.sh.ejs), in place of IPaddr. */
export const VIP_RESOURCE = "ksorch-vip";

/** heartbeat's own gratuitous ARP sender, and IPaddr's defaults for it: 10, 0.5 s apart. */
const SEND_ARP = { path: "/usr/libexec/heartbeat/send_arp", repeat: 10, intervalMs: 500 };

/**
 * `server1 ksorch-vip::192.168.0.253/24/eth0 isc-dhcp-server`: one line per server (dhcpd only
 * with dhcp.server: isc). With
 * `ha.fence`, each group starts with `ksorch-fence::<owner>`, so a node taking the group over
 * fences its owner before it adds the VIP.
 */
export function haresourcesLines({ inv }: Pick<RenderContext, "inv">): string[] {
  return inv.servers.map((s, i) => {
    const fence = inv.ha.fence ? [`${FENCE_RESOURCE}::${s.name}`] : [];
    const ip = `${VIP_RESOURCE}::${s.vip}/${inv.network.prefixLength}/${s.interface}`;
    // dhcpd must run exactly once on the LAN: it follows the first server's VIP. Kea runs on
    // every server and its HA hook decides who answers: it is no resource.
    const dhcp = i === 0 && inv.dhcp.server === "isc" ? [serverLayout(inv, s).services.dhcp] : [];
    return [s.name, ...fence, ip, ...dhcp].join(" ");
  });
}

/** ha.cf, haresources and authkeys, for the heartbeat engine. */
export function heartbeatFiles(ctx: RenderContext): RenderedFile[] {
  const { inv, server, layout, secrets } = ctx;
  const cluster = inv.name;
  const ha = inv.ha;
  const peers = inv.servers.filter((s) => s !== server);
  const haCf = renderTemplate("ha.cf", {
    cluster,
    server: server.name,
    keepalive: haTime(ha.keepaliveMs),
    warntime: haTime(ha.warntimeMs),
    deadtime: haTime(ha.deadtimeMs),
    initdead: haTime(ha.initdeadMs),
    udpport: ha.udpPort,
    links: [
      { iface: server.heartbeat.interface, peers: peers.map((s) => s.heartbeat.address) },
      { iface: server.interface, peers: peers.map((s) => s.address) },
    ],
    autoFailback: ha.autoFailback,
    nodes: inv.servers.map((s) => s.name),
  });
  const haresources = renderTemplate("haresources", { cluster, lines: haresourcesLines(ctx) });
  const authkeys = renderTemplate("authkeys", { key: secrets.haKey });
  const files = [
    rendered(`${layout.haDir}/ha.cf`, haCf, "ha"),
    rendered(`${layout.haDir}/haresources`, haresources, "ha"),
    rendered(`${layout.haDir}/authkeys`, authkeys, "ha", { secret: true }),
  ];
  const vip = renderTemplate("ha-vip.sh", {
    cluster,
    resource: VIP_RESOURCE,
    sendArp: SEND_ARP.path,
    arpRepeat: SEND_ARP.repeat,
    arpIntervalMs: SEND_ARP.intervalMs,
    ready: READY_SCRIPT,
    readyWaitS: READY_WAIT_S,
    drainS: TFTP_DRAIN_S,
  });
  files.push(rendered(`${layout.haDir}/resource.d/${VIP_RESOURCE}`, vip, "ha", { mode: 0o755 }));
  if (ha.fence) {
    const fence = renderTemplate("ha-fence.sh", {
      cluster,
      command: quote(ha.fence),
      peers: peers.map((s) => ({ name: s.name, address: s.address, vip: s.vip })),
      logFile: "/var/log/ksorch-fence.log",
    });
    // Root only: the fence command may carry a BMC password.
    files.push(
      rendered(`${layout.haDir}/resource.d/${FENCE_RESOURCE}`, fence, "ha", {
        secret: true,
        mode: 0o700,
      }),
    );
  }
  return files;
}
