import { dhcpBootFiles } from "./boot.js";
import { keaFiles } from "./kea.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** dhcpd compares option data byte by byte: option 93's 16-bit 7 is written 00:07. */
function archHex(arch: number): string {
  const hex = arch.toString(16).padStart(4, "0");
  return `${hex.slice(0, 2)}:${hex.slice(2)}`;
}

/**
 * The chosen DHCP server's files. ISC: dhcpd.conf (one host block per client, the boot file
 * by client architecture) and the file naming dhcpd's interface. Kea: ./kea.ts.
 */
export function dhcpFiles(ctx: RenderContext): RenderedFile[] {
  if (ctx.inv.dhcp.server === "kea") return keaFiles(ctx);
  const { inv, topo, server, layout } = ctx;
  const cluster = inv.name;
  const conf = renderTemplate("dhcpd.conf", {
    cluster,
    dhcpOwner: topo.servers[0]?.name,
    network: inv.network.subnet.split("/")[0],
    netmask: inv.network.netmask,
    clients: topo.clients,
    boot: dhcpBootFiles(inv.install),
    archHex,
  });
  const defaults = renderTemplate("dhcpd-defaults", {
    cluster,
    family: layout.family,
    iface: server.interface,
  });
  return [
    rendered(layout.dhcp.dhcpdConf, conf, "dhcp"),
    rendered(layout.dhcp.dhcpdDefaults, defaults, "dhcp"),
  ];
}
