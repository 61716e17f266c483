import type { Command } from "commander";

/** Each command module registers itself and reports its exit code through `setExit`. */
export type SetExit = (code: number) => void;

export function registerCommands(_program: Command, _setExit: SetExit): void {
  // Filled in by the command modules: validate, plan, render, apply, status, drill, lab.
}
