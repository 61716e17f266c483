// `ksorch plan [INVENTORY] [--json]`: each client's chain MAC -> IP -> pxelinux file ->
// kickstart file -> VIP -> server, and its backup. Needs only the inventory.
import type { Command } from "commander";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { planTopology } from "../../topology/plan.js";
import type { ClientPlan, Topology } from "../../topology/types.js";
import { examples } from "../examples.js";
import { count, formatTable, printJson } from "../output.js";
import type { SetExit } from "./index.js";

const COLUMNS: readonly [string, keyof ClientPlan][] = [
  ["CLIENT", "client"],
  ["MAC", "mac"],
  ["IP", "ip"],
  ["PXELINUX", "pxelinuxFile"],
  ["KICKSTART", "kickstartFile"],
  ["VIP", "vip"],
  ["SERVER", "server"],
  ["BACKUP", "backup"],
];

export function planTable(clients: readonly ClientPlan[]): string {
  return formatTable(
    COLUMNS.map(([h]) => h),
    clients.map((c) => COLUMNS.map(([, k]) => c[k])),
  );
}

/** Per server: its VIP, how many clients it serves, and whose VIP it takes over. */
export function routingSummary(topo: Topology): string {
  const rows = topo.servers.map((s) => [
    s.name,
    s.vip,
    String(s.clients.length),
    s.kickstartFile,
    s.backupFor.map((b) => `${b.server} (${b.vip})`).join(", ") || "-",
  ]);
  const table = formatTable(["SERVER", "VIP", "CLIENTS", "KICKSTART", "BACKUP FOR"], rows);
  return `\n${count(topo.clients.length, "client")}, balance ${topo.balance}:\n${table}`;
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command("plan")
    .description("show which server, VIP and kickstart file serve each client")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .option("--json", "one JSON array on stdout, one object per client")
    .addHelpText(
      "after",
      examples("ksorch plan inventory/lab.yaml", "ksorch plan inventory/lab3.yaml --json"),
    )
    .action((path: string, opts: { json?: boolean }) => {
      const topo = planTopology(loadInventory(path));
      if (opts.json) printJson(topo.clients);
      else console.log(`${planTable(topo.clients)}\n${routingSummary(topo)}`);
      setExit(0);
    });
}
