import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** /etc/hosts, the crossover interface's static config, and the sysctl file. */
export function networkFiles({ inv, server, layout }: RenderContext): RenderedFile[] {
  const cluster = inv.name;
  const hb = server.heartbeat;
  const config = layout.interfaceConfig;
  return [
    rendered(
      "/etc/hosts",
      renderTemplate("hosts", { cluster, servers: inv.servers, clients: inv.clients }),
      "hosts",
    ),
    rendered(
      config.path(hb.interface),
      renderTemplate(config.template, {
        cluster,
        iface: hb.interface,
        address: hb.address,
        prefix: hb.prefixLength,
      }),
      "network",
      { mode: config.mode },
    ),
    rendered(layout.sysctlFile, renderTemplate("sysctl", {}), "network"),
  ];
}
