import { basename } from "node:path";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** dhcpd.conf (one host block per client) and the file naming dhcpd's interface. */
export function dhcpFiles({ inv, topo, server, layout }: RenderContext): RenderedFile[] {
  const inventory = basename(inv.file);
  const conf = renderTemplate("dhcpd.conf", {
    inventory,
    dhcpOwner: topo.servers[0]?.name,
    network: inv.network.subnet.split("/")[0],
    netmask: inv.network.netmask,
    clients: topo.clients,
  });
  const defaults = renderTemplate("dhcpd-defaults", {
    inventory,
    family: layout.family,
    iface: server.interface,
  });
  return [
    rendered(layout.dhcpdConf, conf, "dhcp"),
    rendered(layout.dhcpdDefaults, defaults, "dhcp"),
  ];
}
