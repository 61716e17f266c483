import { treeUrl } from "./boot.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/**
 * One kickstart file per VIP, on every server: after a failover the survivor serves the
 * other VIP's clients too. Secret because it carries the root password hash; still mode 644
 * on the server, since anonymous FTP must be able to read it (every LAN client can fetch it
 * by design of Kickstart).
 */
export function kickstartFiles({ inv, topo, layout, secrets }: RenderContext): RenderedFile[] {
  const dir = `${layout.ftpRoot}/${inv.install.path}`;
  return topo.servers.map((s) => {
    const backups = topo.servers
      .filter((o) => o.backupFor.some((b) => b.server === s.name))
      .map((o) => o.name);
    const content = renderTemplate("kickstart", {
      cluster: inv.name,
      file: s.kickstartFile,
      vip: s.vip,
      owner: s.name,
      backups,
      target: inv.install.kickstart.target,
      url: treeUrl(inv, s.vip),
      rootpwHash: secrets.rootpwHash,
    });
    return rendered(`${dir}/${s.kickstartFile}`, content, "kickstart", {
      secret: true,
      mode: 0o644,
    });
  });
}
