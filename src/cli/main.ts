#!/usr/bin/env node
// The only place that exits. Each subcommand lives in ./commands/<name>.ts and returns an exit
// code; errors from the tree in ../errors.ts are turned into a message and a fixed exit code.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ConnectError, InputError, TaskError, formatDiagnostic, printable } from "../errors.js";
import { registerCommands } from "./commands/index.js";

function version(): string {
  const pkg = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Problems shown of one bad input: a spreadsheet of wrong rows must not flood the terminal. */
const MAX_DIAGNOSTICS = 20;

function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  if (err instanceof InputError) {
    console.error(`error: ${printable(err.message)}`);
    for (const d of err.diagnostics.slice(0, MAX_DIAGNOSTICS))
      console.error(`  ${formatDiagnostic(d)}`);
    const more = err.diagnostics.length - MAX_DIAGNOSTICS;
    if (more > 0) console.error(`  ... and ${more} more (fix these first)`);
    console.error("nothing was changed on any server");
    return EXIT_BAD_INPUT;
  }
  if (err instanceof ConnectError || err instanceof TaskError) {
    console.error(`error: ${err.message}`);
    return EXIT_FAILED;
  }
  console.error("ksorch: unexpected internal error, please report it with the output below");
  console.error(err);
  return EXIT_FAILED;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command("ksorch")
    .version(version())
    .description(
      "Build a highly available Kickstart install cluster over SSH and drill its failover",
    )
    .exitOverride()
    .showHelpAfterError();
  let code = EXIT_OK;
  try {
    await registerCommands(
      program,
      (c) => {
        code = c;
      },
      argv[2],
    );
    await program.parseAsync(argv);
  } catch (err) {
    return report(err);
  }
  return code;
}

process.exitCode = await main(process.argv);
