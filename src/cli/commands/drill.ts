// `ksorch drill failover [INVENTORY] [--target S]
// [--mode stop|crash|poweroff|link|crossover|freeze] [--link-fault down|drop] [--freeze-s N]
// [--at dhcp|tftp|kickstart|stage2|packages] [--matrix] [--profile real|patient]
// [--hold MS] [--yes] [--json] [--report FILE]`: injects a failure, watches the takeover from
// the servers (ip monitor, a 100 ms ownership sampler, tcpdump, the HA log), undoes it, waits
// for failback, and judges. On the lab's inventory a wave of install clients runs through the
// fault. Exit 1 when the verdict fails.
import { createInterface } from "node:readline/promises";
import { Option, type Command } from "commander";
import { InputError, printable } from "../../errors.js";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { requireSshKeys } from "../../inventory/source.js";
import { checkMode } from "../../drill/faults.js";
import { labHooks, labOf } from "../../drill/lab.js";
import { renderHtmlReport } from "../../drill/report/html.js";
import { DEFAULT_FREEZE_MS, runDrill } from "../../drill/run.js";
import { formatSummary } from "../../drill/summary.js";
import { formatMatrix, matrixRow, type MatrixRow } from "../../drill/matrix.js";
import { PHASES, PROFILES, type Phase, type ProfileName } from "../../lab/client/profile.js";
import {
  FAULT_MODES,
  LINK_FAULTS,
  LINK_MODES,
  type FaultMode,
  type LinkFault,
} from "../../drill/types.js";
import { examples } from "../examples.js";
import { onInterrupt } from "../signals.js";
import { printJson, writeAtomically } from "../output.js";
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
  linkFault: LinkFault;
  freezeS: string;
  at?: Phase;
  matrix?: boolean;
  profile: ProfileName;
}

/** The longest freeze: the lab's hosts are stopped whole, clients and peers wait meanwhile. */
const MAX_FREEZE_S = 600;

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command, setExit: SetExit): void {
  const drill = program
    .command("drill")
    .description("prove the cluster survives a failure")
    .addHelpText(
      "after",
      examples(
        "ksorch drill failover --yes",
        "ksorch drill failover inventory/lab3.yaml --mode crash --report drill.html",
      ),
    );
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
    .addOption(
      new Option(
        "--link-fault <how>",
        "link and crossover: down (carrier lost) or drop (link up, every packet dropped)",
      )
        .choices(LINK_FAULTS)
        .default("down"),
    )
    .option(
      "--freeze-s <seconds>",
      "freeze: how long every process of the target stays stopped",
      String(DEFAULT_FREEZE_MS / 1000),
    )
    .option("--hold <ms>", "keep the fault this long after the takeover (not freeze)", "3000")
    .addOption(
      new Option(
        "--at <phase>",
        "lab: inject when the first client enters this install phase (clients start staggered)",
      ).choices(PHASES),
    )
    .option("--matrix", "lab: one drill per install phase, then a table of phase x result")
    .addOption(
      new Option("--profile <profile>", "lab: how patient the install clients are")
        .choices(PROFILES)
        .default("real"),
    )
    .addHelpText(
      "after",
      examples(
        "ksorch drill failover inventory/lab.yaml --yes",
        "ksorch drill failover inventory/lab3.yaml --mode link --link-fault drop --target server2 --report drill.html",
        "ksorch drill failover --mode poweroff --matrix --profile patient --yes",
      ),
    )
    .action(async (path: string, opts: Opts, cmd: Command) => {
      const given = (option: string): boolean => cmd.getOptionValueSource(option) === "cli";
      if (given("linkFault") && !LINK_MODES.includes(opts.mode)) {
        throw new InputError(
          `--link-fault applies to --mode ${LINK_MODES.join(" or ")}, not ${opts.mode}`,
        );
      }
      if (given("freezeS") && opts.mode !== "freeze") {
        throw new InputError(`--freeze-s applies to --mode freeze, not ${opts.mode}`);
      }
      const freezeS = Number(opts.freezeS);
      if (!Number.isFinite(freezeS) || freezeS <= 0 || freezeS > MAX_FREEZE_S) {
        throw new InputError(
          `--freeze-s ${opts.freezeS}: expected seconds above 0 and at most ${MAX_FREEZE_S}, e.g. 5`,
        );
      }
      const inv = loadInventory(path);
      const holdMs = Number(opts.hold);
      if (!Number.isInteger(holdMs) || holdMs < 0) {
        throw new InputError(`--hold ${opts.hold}: expected milliseconds, e.g. 3000`);
      }
      if (opts.at && opts.matrix) throw new InputError("--at and --matrix exclude each other");
      const lab = await labOf(inv);
      // Before the confirmation: a mode this setting cannot do is refused at once.
      checkMode(opts.mode, lab);
      if ((opts.at || opts.matrix) && !lab)
        throw new InputError(
          `--${opts.at ? "at" : "matrix"} needs the lab's install clients; ${inv.file} is not a lab inventory`,
        );
      requireSshKeys(inv);
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
      // SIGINT/SIGTERM: the drill undoes its fault and stops its observers (src/drill/run.ts).
      const stop = onInterrupt("the drill", (line) => console.error(`drill: ${line}`));
      try {
        const run = (at: Phase | undefined): ReturnType<typeof runDrill> =>
          runDrill(inv, {
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
            ...(LINK_MODES.includes(opts.mode) ? { linkFault: opts.linkFault } : {}),
            ...(opts.mode === "freeze" ? { freezeMs: Math.round(freezeS * 1000) } : {}),
            ...(at ? { at } : {}),
            profile: opts.profile,
            signal: stop.signal,
            // A line may hold what a server printed: escaped, it cannot move the cursor.
            progress: (line) => console.error(`drill: ${at ? `[${at}] ` : ""}${printable(line)}`),
          });
        if (opts.matrix) {
          const rows: MatrixRow[] = [];
          for (const phase of PHASES) {
            const { obs, result } = await run(phase);
            rows.push(matrixRow(phase, obs, result.verdict.pass));
          }
          if (opts.json) printJson({ mode: opts.mode, profile: opts.profile, rows });
          else console.log(formatMatrix(opts.mode, opts.profile, rows));
          setExit(rows.every((r) => r.pass) ? 0 : 1);
          return;
        }
        const { obs, result } = await run(opts.at);
        if (opts.report) await writeAtomically(opts.report, renderHtmlReport(obs, result));
        if (opts.json) printJson(result);
        else console.log(formatSummary(result));
        setExit(result.verdict.pass ? 0 : 1);
      } catch (err) {
        const code = stop.exitCode();
        if (code === undefined) throw err;
        console.error(
          `drill: ${printable(err instanceof Error ? err.message : String(err))}; no verdict`,
        );
        setExit(code);
      } finally {
        stop.dispose();
      }
    });
}
