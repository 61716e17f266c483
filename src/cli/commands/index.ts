import type { Command } from "commander";
import { register as registerDrill } from "./drill.js";
import { register as registerApply } from "./apply.js";
import { register as registerLab } from "./lab.js";
import { register as registerPlan } from "./plan.js";
import { register as registerRender } from "./render.js";
import { register as registerStatus } from "./status.js";
import { register as registerValidate } from "./validate.js";

/** Each command module registers itself and reports its exit code through `setExit`. */
export type SetExit = (code: number) => void;

export function registerCommands(program: Command, setExit: SetExit): void {
  registerLab(program, setExit);
  registerValidate(program, setExit);
  registerPlan(program, setExit);
  registerRender(program, setExit);
  registerStatus(program, setExit);
  registerDrill(program, setExit);
  registerApply(program, setExit);
  // Filled in by the command modules: validate, plan, render, apply, status, drill, lab.
}
