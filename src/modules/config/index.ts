// config: installs every rendered file (src/render) of one tag on this server, e.g. all of
// dhcp, so a playbook can notify that concern's handler. Secrets stay masked in diffs.
import { z } from "zod";
import type { FileTag } from "../../render/types.js";
import { planFiles } from "../files/install.js";
import { defineModule, noop } from "../types.js";

const TAGS = [
  "network",
  "hosts",
  "dhcp",
  "tftp",
  "pxelinux",
  "grub",
  "kickstart",
  "ftp",
  "http",
  "ha",
  "guard",
] as const satisfies readonly FileTag[];

const args = z.strictObject({
  /** Which rendered files: network, hosts, dhcp, tftp, pxelinux, grub, kickstart, ftp, http or ha. */
  tag: z.enum(TAGS),
});

export const configModule = defineModule({
  name: "config",
  description:
    "Install the rendered configuration files of one tag (atomic, by sha256, secrets masked)",
  args,
  async plan(a, host) {
    const files = host.files(a.tag);
    if (files.length === 0) return noop(`no ${a.tag} files for ${host.name}`);
    return planFiles(
      host,
      files.map((f) => ({
        path: f.path,
        mode: f.mode,
        owner: f.owner,
        group: f.group,
        secret: f.secret,
        source: { content: f.content },
      })),
    );
  },
});
