// `ksorch validate [INVENTORY]`: the inventory's schema and cross-field rules, plus the local
// files it names (install tree, SSH keys, secret files). Touches nothing.
import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { checkLocalFiles } from "../../inventory/source.js";
import { examples } from "../examples.js";
import { count } from "../output.js";
import type { SetExit } from "./index.js";

export function validate(path: string): string {
  const inv = loadInventory(path);
  const problems = checkLocalFiles(inv);
  if (problems.length > 0)
    throw new InputError(`${inv.file}: files it names are missing or unreadable`, problems);
  return `ok: ${count(inv.servers.length, "server")}, ${count(inv.clients.length, "client")}`;
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command("validate")
    .description("check the inventory and the local files it names; touch nothing")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .addHelpText("after", examples("ksorch validate", "ksorch validate inventory/lab3.yaml"))
    .action((path: string) => {
      console.log(validate(path));
      setExit(0);
    });
}
