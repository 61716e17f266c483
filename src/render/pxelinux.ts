import { appendLine, bootFiles } from "./boot.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/** pxelinux.cfg/<HEX-IP> for every client (any server may answer it) and a safe `default`. */
export function pxelinuxFiles({ inv, topo, layout }: RenderContext): RenderedFile[] {
  const dir = `${layout.tftpRoot}/pxelinux.cfg`;
  const { kernel } = bootFiles(inv.install);
  const perClient = topo.clients.map((c) =>
    rendered(
      `${dir}/${c.pxelinuxFile}`,
      renderTemplate("pxelinux-client", { c, kernel, append: appendLine(inv, c) }),
      "pxelinux",
    ),
  );
  return [
    ...perClient,
    rendered(`${dir}/default`, renderTemplate("pxelinux-default", {}), "pxelinux"),
  ];
}
