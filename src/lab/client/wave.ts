// A wave of install clients running their install chains in parallel, as the paper's lab
// powered on a room of PCs at once.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { InputError, TaskError } from "../../errors.js";
import { labPaths } from "../paths.js";
import { readState } from "../state.js";
import { writeDhcpScript } from "./dhcp.js";
import { installClient, type InstallOptions } from "./install.js";
import type { ClientReport } from "./report.js";

/** Runs the named clients (all of the lab's when `clientNames` is empty) at the same time. */
export interface WaveOptions extends InstallOptions {
  /** Called as each client finishes, in the order they finish (for progress output). */
  onReport?: (report: ClientReport) => void;
  /** Client n (in the inventory's order) powers on n x this many ms after the first. */
  staggerMs?: number;
}

export async function runInstallWave(
  lab: string,
  clientNames: string[],
  opts: WaveOptions = {},
): Promise<ClientReport[]> {
  const state = await readState(lab);
  if (!state) throw new TaskError(`lab ${lab} is not up (run: ksorch lab up --name ${lab})`);
  const { plan } = state;
  const unknown = [...clientNames, ...(opts.uefi ?? [])].filter(
    (n) => !plan.clients.some((c) => c.name === n),
  );
  if (unknown.length > 0)
    throw new InputError(
      `unknown client(s) ${unknown.join(", ")} in lab ${lab} (it has ${plan.clients.map((c) => c.name).join(", ") || "no clients"})`,
    );
  const clients =
    clientNames.length === 0
      ? plan.clients
      : plan.clients.filter((c) => clientNames.includes(c.name));
  const dir = labPaths(lab).clientsDir;
  await mkdir(dir, { recursive: true });
  const dhcpScript = await writeDhcpScript(dir);
  const serversByMac = new Map(plan.servers.map((s) => [s.lanMac, s.name]));
  return Promise.all(
    clients.map(async (client, i) => {
      if (opts.staggerMs) await sleep(i * (opts.staggerMs ?? 0));
      const report = await installClient(
        {
          client,
          dir: join(dir, client.name),
          dhcpScript,
          serversByMac,
          firmware: opts.uefi?.includes(client.name) ? "uefi" : "bios",
        },
        opts,
      );
      opts.onReport?.(report);
      return report;
    }),
  );
}
