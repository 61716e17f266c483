// EJS templates in ../../templates (the same relative place from src/ and from dist/), and the
// small helpers every file renderer shares.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ejs from "ejs";
import type { Inventory, Server } from "../inventory/types.js";
import type { OsLayout } from "../inventory/layout.js";
import type { Topology } from "../topology/types.js";
import type { Secrets } from "./secrets.js";
import type { FileTag, RenderedFile } from "./types.js";

export const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** What every file renderer gets: the whole cluster plus the server being rendered. */
export interface RenderContext {
  inv: Inventory;
  topo: Topology;
  server: Server;
  layout: OsLayout;
  secrets: Secrets;
}

const compiled = new Map<string, ejs.TemplateFunction>();

/** Renders templates/<name>.ejs. Output is a config file, not HTML: nothing is escaped. */
export function renderTemplate(name: string, locals: Record<string, unknown>): string {
  let fn = compiled.get(name);
  if (!fn) {
    const filename = `${TEMPLATE_DIR}${name}.ejs`;
    fn = ejs.compile(readFileSync(filename, "utf8"), {
      filename,
      escape: (s: unknown) => String(s),
    }) as ejs.TemplateFunction;
    compiled.set(name, fn);
  }
  return fn(locals);
}

/** A root-owned file; `secret` files are mode 600 unless a reader needs more (see callers). */
export function rendered(
  path: string,
  content: string,
  tag: FileTag,
  opts: { secret?: boolean; mode?: number } = {},
): RenderedFile {
  const secret = opts.secret ?? false;
  return {
    path,
    content,
    mode: opts.mode ?? (secret ? 0o600 : 0o644),
    owner: "root",
    group: "root",
    secret,
    tag,
  };
}
