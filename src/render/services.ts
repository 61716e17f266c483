import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** Passive FTP data ports; a firewall between clients and servers must let them through. */
export const FTP_PASV_PORTS = { min: 30000, max: 30100 } as const;

export const HTTP_PORT = 80;

/** tftpd-hpa's defaults file, vsftpd.conf, and lighttpd.conf for `install.protocol: http`. */
export function serviceFiles({ inv, layout }: RenderContext): RenderedFile[] {
  const cluster = inv.name;
  const family = layout.family;
  const tftp = renderTemplate(layout.tftp.template, { cluster, tftpRoot: layout.tftpRoot });
  const files = [rendered(layout.tftp.path, tftp, "tftp")];
  // FTP always serves the tree (the paper's source, and playbooks start vsftpd everywhere);
  // HTTP is added next to it when clients install over HTTP.
  const ftp = renderTemplate("vsftpd.conf", {
    cluster,
    family,
    ftpRoot: layout.ftpRoot,
    pasv: FTP_PASV_PORTS,
  });
  files.push(rendered(layout.vsftpdConf, ftp, "ftp"));
  if (inv.install.protocol === "http") {
    const http = renderTemplate(layout.http.template, {
      cluster,
      root: layout.ftpRoot,
      port: HTTP_PORT,
      user: layout.http.user,
      top: inv.install.path.split("/")[0],
    });
    files.push(rendered(layout.http.path, http, "http"));
  }
  return files;
}
