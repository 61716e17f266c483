import { bootFiles, GRUB_DIR, kernelArgs } from "./boot.js";
import { rendered, renderTemplate, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/**
 * GRUB's configs for UEFI clients, beside pxelinux's for BIOS ones: grub.cfg-<HEX-IP> per
 * client (the name pxelinux.cfg/ uses too, so both firmware kinds find their file by the
 * same rule) and a grub.cfg that sends each known client to its file (for GRUB images that
 * read grub.cfg only, see GRUB_DIR) and boots nothing for any other machine.
 */
export function grubFiles({ inv, topo, layout }: RenderContext): RenderedFile[] {
  const dir = `${layout.tftpRoot}/${GRUB_DIR}`;
  const { kernel, initrd, grubPrefix } = bootFiles(inv.install);
  const perClient = topo.clients.map((c) =>
    rendered(
      `${dir}/grub.cfg-${c.pxelinuxFile}`,
      // GRUB's root is the TFTP server it was loaded from: absolute paths are below its root.
      renderTemplate("grub-client", {
        c,
        kernel: `/${kernel}`,
        initrd: `/${initrd}`,
        args: kernelArgs(inv, c),
        // GRUB's device for a file on another TFTP server (GRUB manual, "Network").
        fallback: c.backupVip !== c.vip ? `(tftp,${c.backupVip})` : undefined,
      }),
      "grub",
    ),
  );
  const main = renderTemplate("grub-default", { clients: topo.clients, prefix: grubPrefix });
  return [...perClient, rendered(`${dir}/grub.cfg`, main, "grub")];
}
