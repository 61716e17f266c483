import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** /etc/hosts, the crossover interface's static config, and the sysctl file. */
export function networkFiles({ inv, server, layout }: RenderContext): RenderedFile[] {
  const cluster = inv.name;
  const hb = server.heartbeat;
  const { dir, prefix } = layout.interfaceConfig;
  return [
    rendered(
      "/etc/hosts",
      renderTemplate("hosts", { cluster, servers: inv.servers, clients: inv.clients }),
      "hosts",
    ),
    rendered(
      `${dir}/${prefix}${hb.interface}`,
      renderTemplate("interface", {
        cluster,
        family: layout.family,
        iface: hb.interface,
        address: hb.address,
        prefix: hb.prefixLength,
      }),
      "network",
    ),
    rendered(layout.sysctlFile, renderTemplate("sysctl", {}), "network"),
  ];
}
