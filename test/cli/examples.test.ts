// Every command's --help ends with examples an admin can type as they are: each one parses with
// the program's own commander definition and names only flags of the command it runs. In
// process, with every action replaced by one that records its command: nothing runs.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../src/cli/commands/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The commands as main.ts registers them; an action only reports which command it is. */
async function program(ran: (cmd: Command) => void = () => undefined): Promise<Command> {
  const root = new Command("ksorch")
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  await registerCommands(root, () => undefined, undefined);
  const leaves = (c: Command): Command[] =>
    c.commands.length === 0 ? [c] : c.commands.flatMap(leaves);
  for (const leaf of leaves(root)) leaf.action(() => ran(leaf));
  return root;
}

const path = (c: Command): string => (c.parent ? `${path(c.parent)} ${c.name()}` : c.name());

/** Every command `--help` lists, below the root (hidden ones are not for users). */
function visible(c: Command): Command[] {
  const shown = c.createHelp().visibleCommands(c);
  return c.commands.filter((s) => shown.includes(s)).flatMap((s) => [s, ...visible(s)]);
}

function helpOf(c: Command): string {
  let text = "";
  c.configureOutput({ writeOut: (s) => (text += s) });
  c.outputHelp();
  return text;
}

/** The lines of the help's closing "Examples:" block, or none when it has no such end. */
function examplesOf(help: string): string[] {
  const m = /\nExamples:\n((?: {2}ksorch .*\n)+)\s*$/.exec(help);
  return m?.[1]?.match(/ksorch .*/g) ?? [];
}

const commands = visible(await program());
const cases = commands.flatMap((c) => examplesOf(helpOf(c)).map((e) => [path(c), e] as const));

describe("--help examples", () => {
  it("end the help of every command, 1 to 3 of them", () => {
    expect(commands.map(path)).toEqual(
      expect.arrayContaining(
        [
          "init",
          "validate",
          "plan",
          "render",
          "apply",
          "status",
          "drill",
          "drill failover",
          "lab",
          "lab up",
          "lab down",
          "lab status",
          "lab image",
          "lab tree",
          "lab install",
        ].map((c) => `ksorch ${c}`),
      ),
    );
    for (const c of commands) {
      const n = examplesOf(helpOf(c)).length;
      expect(n, `${path(c)} --help`).toBeGreaterThanOrEqual(1);
      expect(n, `${path(c)} --help`).toBeLessThanOrEqual(3);
    }
  });

  it.each(cases)("%s: %s", async (command, example) => {
    // Typed as shown: no quoting or shell syntax, so splitting on spaces is what a shell does.
    expect(example).toMatch(/^[\w./,=:-]+( [\w./,=:-]+)*$/);
    const argv = example.split(" ");
    expect(argv[0]).toBe("ksorch");
    let ran: Command | undefined;
    await (await program((c) => (ran = c))).parseAsync(argv.slice(1), { from: "user" });
    if (!ran) throw new Error(`${example}: ran no command`);
    // A group's examples run one of its subcommands.
    const leaf = path(ran);
    expect(`${leaf} `.startsWith(`${command} `), `${example} runs ${leaf}`).toBe(true);
    const flags = new Set(ran.options.map((o) => o.long));
    for (const arg of argv.filter((a) => a.startsWith("--")))
      expect(flags, `${example}: ${leaf} has no ${arg}`).toContain(arg.split("=")[0]);
    for (const file of argv.filter((a) => a.startsWith("inventory/")))
      expect(existsSync(join(ROOT, file)), `${example}: ${file}`).toBe(true);
  });
});
