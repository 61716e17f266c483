import { basename } from "node:path";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** Passive FTP data ports; a firewall between clients and servers must let them through. */
export const FTP_PASV_PORTS = { min: 30000, max: 30100 } as const;

/** tftpd-hpa's defaults file, and vsftpd.conf when the tree is served over FTP. */
export function serviceFiles({ inv, layout }: RenderContext): RenderedFile[] {
  const inventory = basename(inv.file);
  const family = layout.family;
  const tftp = renderTemplate("tftpd-hpa", { inventory, family, tftpRoot: layout.tftpRoot });
  const files = [rendered(layout.tftpDefaults, tftp, "tftp")];
  if (inv.install.protocol === "ftp") {
    const ftp = renderTemplate("vsftpd.conf", {
      inventory,
      family,
      ftpRoot: layout.ftpRoot,
      pasv: FTP_PASV_PORTS,
    });
    files.push(rendered(layout.vsftpdConf, ftp, "ftp"));
  }
  return files;
}
