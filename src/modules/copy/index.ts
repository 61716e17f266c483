// copy: a file's content (inline, from a local file, or from another path on the same host) to
// `dest`, compared by sha256 and written atomically.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { absolutePath, ownershipArgs } from "../files/args.js";
import { installFile } from "../files/install.js";
import { statRemote } from "../files/remote.js";
import { defineModule } from "../types.js";

const args = z
  .strictObject({
    dest: absolutePath,
    /** Inline content. */
    content: z.string().optional(),
    /** Local file (relative to the project root) or, with remote_src, a path on the host. */
    src: z.string().min(1).optional(),
    /** Copy `src` from the host itself (e.g. pxelinux.0 from the installed package). */
    remote_src: z.boolean().default(false),
    ...ownershipArgs,
  })
  .refine((a) => (a.content === undefined) !== (a.src === undefined), {
    error: "give exactly one of content or src",
    path: ["content"],
  })
  .refine((a) => !a.remote_src || a.src !== undefined, {
    error: "remote_src needs src",
    path: ["remote_src"],
  });

export const copyModule = defineModule({
  name: "copy",
  description:
    "Copy inline content, a local file, or a file already on the host to dest (atomic, by sha256)",
  args,
  async plan(a, host) {
    const own = { mode: a.mode, owner: a.owner, group: a.group };
    if (a.remote_src && a.src !== undefined) {
      const stats = await statRemote(host.transport, [a.src, a.dest]);
      const src = stats.get(a.src);
      if (!src?.sha256) throw new Error(`${a.src} is not a regular file on ${host.name}`);
      return installFile(
        host,
        { path: a.dest, ...own, secret: false },
        { sha256: src.sha256, remotePath: a.src },
        stats.get(a.dest),
      );
    }
    const content = a.content ?? (await readFile(resolve(host.localRoot, a.src ?? "")));
    return installFile(host, { path: a.dest, ...own, secret: false }, { content }, undefined);
  },
});
