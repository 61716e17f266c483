// `ksorch drill failover [INVENTORY] [--target S] [--mode stop|crash|poweroff|link] [--yes]
// [--json] [--report FILE]`: injects a failure, watches the takeover from the servers (ip
// monitor, tcpdump, the HA log), undoes it, waits for failback, and judges. On the lab's
// inventory a wave of install clients runs through the fault. Exit 1 when the verdict fails.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline/promises";
import { Option, type Command } from "commander";
import { InputError } from "../../errors.js";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { labHooks, labOf } from "../../drill/lab.js";
import { renderHtmlReport } from "../../drill/report/html.js";
import { runDrill } from "../../drill/run.js";
import { formatSummary } from "../../drill/summary.js";
import { FAULT_MODES, type FaultMode } from "../../drill/types.js";
import { printJson } from "../output.js";
import type { SetExit } from "./index.js";

/** The paper's 100 Mb/s NICs: a lab wave then lasts long enough to be interrupted. */
const LAB_RATE_MBIT = 100;

interface Opts {
  target?: string;
  mode: FaultMode;
  yes?: boolean;
  json?: boolean;
  report?: string;
  hold: string;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export function register(program: Command, setExit: SetExit): void {
  const drill = program.command("drill").description("prove the cluster survives a failure");
  drill
    .command("failover")
    .description("inject a failure on one server, time the takeover, undo it, judge")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .option("--target <server>", "server to fail (default: the owner of the first VIP)")
    .addOption(
      new Option("--mode <mode>", "how the target fails").choices(FAULT_MODES).default("stop"),
    )
    .option("--yes", "do not ask for confirmation (the drill disrupts the cluster)")
    .option("--json", "one JSON document on stdout")
    .option("--report <file>", "write a self-contained HTML report")
    .option("--hold <ms>", "keep the fault this long after the takeover", "3000")
    .action(async (path: string, opts: Opts) => {
      const inv = loadInventory(path);
      const holdMs = Number(opts.hold);
      if (!Number.isInteger(holdMs) || holdMs < 0) {
        throw new InputError(`--hold ${opts.hold}: expected milliseconds, e.g. 3000`);
      }
      const lab = await labOf(inv);
      if (!opts.yes) {
        const what = `${opts.mode} on ${opts.target ?? "the owner of the first VIP"}`;
        if (!process.stdin.isTTY) {
          throw new InputError(`the drill disrupts the cluster (${what}): confirm with --yes`);
        }
        if (!(await confirm(`Run a failover drill (${what}) on ${inv.file}?`))) {
          console.error("drill cancelled");
          setExit(1);
          return;
        }
      }
      const { obs, result } = await runDrill(inv, {
        mode: opts.mode,
        ...(opts.target ? { target: opts.target } : {}),
        ...(lab
          ? {
              lab: labHooks(
                lab,
                inv.servers.map((s) => s.name),
                LAB_RATE_MBIT,
              ),
            }
          : {}),
        holdMs,
        progress: (line) => console.error(`drill: ${line}`),
      });
      if (opts.report) await writeAtomically(opts.report, renderHtmlReport(obs, result));
      if (opts.json) printJson(result);
      else console.log(formatSummary(result));
      setExit(result.verdict.pass ? 0 : 1);
    });
}
