// `ksorch status [INVENTORY] [--json]`: who holds each VIP (flagging none or two owners), which
// services run on each server, and whether the install trees drifted. One SSH connection and
// one command per server, all in parallel. Exit 1 when the cluster is not healthy.
import type { Command } from "commander";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { closeAll, connectAll } from "../../drill/connect.js";
import { requireSshKeys } from "../../inventory/source.js";
import { formatHealth } from "../../drill/status-format.js";
import { checkHealth } from "../../drill/status.js";
import { examples } from "../examples.js";
import { printJson } from "../output.js";
import type { SetExit } from "./index.js";

export function register(program: Command, setExit: SetExit): void {
  program
    .command("status")
    .description("who holds each VIP, which services run, whether the install trees drifted")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .option("--json", "one JSON document on stdout")
    .addHelpText(
      "after",
      examples("ksorch status inventory/lab.yaml", "ksorch status inventory/lab3.yaml --json"),
    )
    .action(async (path: string, opts: { json?: boolean }) => {
      const inv = loadInventory(path);
      requireSshKeys(inv);
      const connections = await connectAll(inv);
      try {
        const health = await checkHealth(inv, connections);
        if (opts.json) printJson(health);
        else console.log(formatHealth(health));
        setExit(health.healthy ? 0 : 1);
      } finally {
        await closeAll(connections);
      }
    });
}
