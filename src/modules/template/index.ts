// template: an EJS file from templates/ rendered locally with the host's variables (inventory,
// topology, server, layout, facts) plus `vars`, installed like copy.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import ejs from "ejs";
import { z } from "zod";
import { absolutePath, ownershipArgs } from "../files/args.js";
import { installFile } from "../files/install.js";
import { unreadableFile } from "../../local-file.js";
import { defineModule } from "../types.js";

const args = z.strictObject({
  /** Template path relative to templates/, e.g. motd.ejs. */
  src: z
    .string()
    .regex(/^[^/].*\.ejs$/, { error: "a path relative to templates/, ending in .ejs" }),
  dest: absolutePath,
  /** Extra variables for this template. */
  vars: z.record(z.string(), z.unknown()).default({}),
  /** Content must never be shown (keys, hashes). */
  secret: z.boolean().default(false),
  ...ownershipArgs,
});

export const templateModule = defineModule({
  name: "template",
  description: "Render an EJS template from templates/ with the host's variables and install it",
  args,
  localProblem(a, localRoot) {
    const file = resolve(localRoot, "templates", a.src);
    const hint = "an EJS file in templates/";
    const unreadable = unreadableFile(file);
    if (unreadable) return { arg: "src", message: unreadable, hint };
    try {
      ejs.compile(readFileSync(file, "utf8"), { filename: file, escape: String });
      return undefined;
    } catch (err) {
      return { arg: "src", message: `template ${a.src}: ${(err as Error).message}`, hint };
    }
  },
  async plan(a, host) {
    const file = resolve(host.localRoot, "templates", a.src);
    const content = ejs.render(
      await readFile(file, "utf8"),
      { ...host.vars, ...a.vars },
      { filename: file, escape: String },
    );
    return installFile(
      host,
      { path: a.dest, mode: a.mode, owner: a.owner, group: a.group, secret: a.secret },
      { content },
      undefined,
    );
  },
});
