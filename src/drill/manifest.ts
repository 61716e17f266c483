// The local side of tree drift: the same manifest the probe computes on a server (sorted
// `path size` lines, SHA-256), computed over the local install tree.
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { TreeManifest } from "./probe.js";

export function manifestOf(files: readonly { path: string; size: number }[]): TreeManifest {
  // Bytewise order, as `LC_ALL=C sort` on the server.
  const lines = files
    .map((f) => Buffer.from(`${f.path} ${f.size}\n`))
    .sort(Buffer.compare)
    .map((b) => b.toString());
  return { digest: createHash("sha256").update(lines.join("")).digest("hex"), files: files.length };
}

/** Undefined when the directory does not exist here (status run away from the source). */
export async function localManifest(dir: string): Promise<TreeManifest | undefined> {
  const top = await stat(dir).catch(() => undefined);
  if (!top?.isDirectory()) return undefined;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const full = join(e.parentPath, e.name);
        return { path: relative(dir, full), size: (await stat(full)).size };
      }),
  );
  return manifestOf(files);
}
