// Every file a server receives, rendered from the inventory, its topology and the secrets.
// Pure apart from reading the (cached) templates: no secret is fetched or generated here.
import { serverLayout } from "../inventory/layout.js";
import type { Inventory } from "../inventory/types.js";
import type { Topology } from "../topology/types.js";
import { dhcpFiles } from "./dhcp.js";
import { grubFiles } from "./grub.js";
import { guardFiles } from "./guard.js";
import { heartbeatFiles } from "./heartbeat.js";
import { keepalivedFiles } from "./keepalived.js";
import { kickstartFiles } from "./kickstart.js";
import { networkFiles } from "./network.js";
import { pxelinuxFiles } from "./pxelinux.js";
import type { Secrets } from "./secrets.js";
import { serviceFiles } from "./services.js";
import type { RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

export function renderServer(
  inv: Inventory,
  topo: Topology,
  serverName: string,
  secrets: Secrets,
): RenderedFile[] {
  const server = inv.servers.find((s) => s.name === serverName);
  if (!server) throw new Error(`renderServer: no server named ${serverName} in ${inv.file}`);
  const ctx: RenderContext = { inv, topo, server, layout: serverLayout(inv, server), secrets };
  return [
    ...networkFiles(ctx),
    ...dhcpFiles(ctx),
    ...serviceFiles(ctx),
    ...pxelinuxFiles(ctx),
    ...grubFiles(ctx),
    ...kickstartFiles(ctx),
    ...(inv.ha.engine === "heartbeat" ? heartbeatFiles(ctx) : keepalivedFiles(ctx)),
    ...guardFiles(ctx),
  ];
}

/** Every server's files, keyed by server name in inventory order. */
export function renderCluster(
  inv: Inventory,
  topo: Topology,
  secrets: Secrets,
): Map<string, RenderedFile[]> {
  return new Map(inv.servers.map((s) => [s.name, renderServer(inv, topo, s.name, secrets)]));
}
