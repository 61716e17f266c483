// template: an EJS file from templates/ rendered locally with the host's variables (inventory,
// topology, server, layout, facts) plus `vars`, installed like copy.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import ejs from "ejs";
import { z } from "zod";
import { TaskError } from "../../errors.js";
import { absolutePath, ownershipArgs } from "../files/args.js";
import { installFile } from "../files/install.js";
import { unreadableFile } from "../../local-file.js";
import { defineModule } from "../types.js";
import { compileProblem, renderProblem } from "./problem.js";

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

/** Output is a config file, not HTML: nothing is escaped. */
const render = (file: string, text: string, vars: Record<string, unknown>): string =>
  ejs.render(text, vars, { filename: file, escape: String });

export const templateModule = defineModule({
  name: "template",
  description: "Render an EJS template from templates/ with the host's variables and install it",
  args,
  localProblem(a, localRoot, vars) {
    const file = resolve(localRoot, "templates", a.src);
    const hint = "an EJS file in templates/";
    const unreadable = unreadableFile(file);
    if (unreadable) return { arg: "src", message: unreadable, hint };
    const text = readFileSync(file, "utf8");
    try {
      render(file, text, { ...vars, ...a.vars });
      return undefined;
    } catch (err) {
      // Without the facts, only a name no variable has (as in `when`) is known to be wrong
      // before the run; what else throws may come from the facts, and is the run's to report.
      const problem = compileProblem(a.src, text);
      if (problem === undefined && !(err instanceof ReferenceError)) return undefined;
      return { arg: "src", message: problem ?? renderProblem(a.src, text, err), hint };
    }
  },
  async plan(a, host) {
    const file = resolve(host.localRoot, "templates", a.src);
    const text = await readFile(file, "utf8");
    let content: string;
    try {
      content = render(file, text, { ...host.vars, ...a.vars });
    } catch (err) {
      throw new TaskError(renderProblem(a.src, text, err), { cause: err });
    }
    return installFile(
      host,
      { path: a.dest, mode: a.mode, owner: a.owner, group: a.group, secret: a.secret },
      { content },
      undefined,
    );
  },
});
