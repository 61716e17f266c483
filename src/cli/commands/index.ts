import type { Command } from "commander";

/** Each command module registers itself and reports its exit code through `setExit`. */
export type SetExit = (code: number) => void;

interface CommandModule {
  register(program: Command, setExit: SetExit): void;
}

// In the order `ksorch --help` lists them. Loaded on demand: a run of one command does not pay
// for loading the others (SSH, the lab, the drill), which is most of a no-op apply's start-up.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  init: () => import("./init.js"),
  validate: () => import("./validate.js"),
  plan: () => import("./plan.js"),
  render: () => import("./render.js"),
  apply: () => import("./apply.js"),
  status: () => import("./status.js"),
  drill: () => import("./drill.js"),
  lab: () => import("./lab.js"),
};

/** Registers the command named by `name`, or every command when `name` names none of them
 *  (help, a typo: commander then lists them all). */
export async function registerCommands(
  program: Command,
  setExit: SetExit,
  name: string | undefined,
): Promise<void> {
  const load = name !== undefined ? COMMANDS[name] : undefined;
  const modules = await Promise.all(load ? [load()] : Object.values(COMMANDS).map((l) => l()));
  for (const m of modules) m.register(program, setExit);
}
