// copy: a file's content (inline, from a local file, or from another path on the same host) to
// `dest`, compared by sha256 and written atomically.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { absolutePath, ownershipArgs } from "../files/args.js";
import { installFile } from "../files/install.js";
import { statRemote } from "../files/remote.js";
import { unreadableFile } from "../../local-file.js";
import { defineModule } from "../types.js";

const args = z
  .strictObject({
    dest: absolutePath,
    /** Inline content. */
    content: z.string().optional(),
    /** Local file (relative to the project root) or, with remote_src, a path on the host. */
    src: z.string().min(1).optional(),
    /**
     * Copy `src` from the host itself (e.g. pxelinux.0 from the installed package). Such a copy
     * keeps the source's mtime and is compared by size and mtime, like sync.
     */
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
    "Copy inline content or a local file (compared by sha256), or a file already on the host, to dest (atomic)",
  args,
  localProblem(a, localRoot) {
    if (a.remote_src || a.src === undefined) return undefined;
    const unreadable = unreadableFile(resolve(localRoot, a.src));
    const hint = "a file relative to the project root, or remote_src: true for one on the host";
    return unreadable ? { arg: "src", message: unreadable, hint } : undefined;
  },
  async plan(a, host) {
    const own = { mode: a.mode, owner: a.owner, group: a.group };
    if (a.remote_src && a.src !== undefined) {
      // Copies on the host are compared like sync compares trees: size and modification time.
      const stats = await statRemote(host.transport, [a.src, a.dest], []);
      const src = stats.get(a.src);
      if (src?.kind !== "file") throw new Error(`${a.src} is not a regular file on ${host.name}`);
      const source = { remotePath: a.src, size: src.size, mtime: src.mtime };
      return installFile(host, { path: a.dest, ...own, secret: false }, source, stats.get(a.dest));
    }
    const content = a.content ?? (await readFile(resolve(host.localRoot, a.src ?? "")));
    return installFile(host, { path: a.dest, ...own, secret: false }, { content }, undefined);
  },
});
