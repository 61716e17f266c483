import { bootFiles, UEFI_X64_ARCHES } from "./boot.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** dhcpd.conf (one host block per client; BIOS firmware gets pxelinux, x64 UEFI firmware
 *  GRUB, told apart by option 93) and the file naming dhcpd's interface. */
export function dhcpFiles({ inv, topo, server, layout }: RenderContext): RenderedFile[] {
  const cluster = inv.name;
  const conf = renderTemplate("dhcpd.conf", {
    cluster,
    dhcpOwner: topo.servers[0]?.name,
    network: inv.network.subnet.split("/")[0],
    netmask: inv.network.netmask,
    clients: topo.clients,
    efi: bootFiles(inv.install).efi,
    // dhcpd compares option data byte by byte: a 16-bit value is written 00:07.
    uefiArches: UEFI_X64_ARCHES.map((a) => `00:${a.toString(16).padStart(2, "0")}`),
  });
  const defaults = renderTemplate("dhcpd-defaults", {
    cluster,
    family: layout.family,
    iface: server.interface,
  });
  return [
    rendered(layout.dhcpdConf, conf, "dhcp"),
    rendered(layout.dhcpdDefaults, defaults, "dhcp"),
  ];
}
