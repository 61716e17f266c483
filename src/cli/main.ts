#!/usr/bin/env node
// The only place that exits. Each subcommand lives in ./commands/<name>.ts and returns an exit
// code; an error is turned into a message and a fixed exit code by ./report.ts.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCommands } from "./commands/index.js";
import { EXIT_OK, report } from "./report.js";
import { SIGNAL_EXIT } from "./signals.js";

function version(): string {
  const pkg = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
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

const code = await main(process.argv);
// A run stopped by a signal has cleaned up what it must (the drill's fault undone, its observers
// stopped); what it started in this process and no longer waits for (the lab's install clients,
// a timer) must not keep it alive.
if (Object.values(SIGNAL_EXIT).includes(code)) process.exit(code);
process.exitCode = code;
