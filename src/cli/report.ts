// How an error ends a run: the exit code it maps to and what is said about it on stderr. Errors
// from the tree in ../errors.ts get a message and a fixed exit code; anything else is a bug.
import { inspect } from "node:util";
import { CommanderError } from "commander";
import { ConnectError, InputError, TaskError, formatDiagnostic, printable } from "../errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Problems shown of one bad input: a spreadsheet of wrong rows must not flood the terminal. */
const MAX_DIAGNOSTICS = 20;

/** Says what `err` means, one line at a time through `say`, and returns the exit code. */
export function report(err: unknown, say: (line: string) => void = console.error): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  if (err instanceof InputError) {
    say(`error: ${printable(err.message)}`);
    for (const d of err.diagnostics.slice(0, MAX_DIAGNOSTICS)) say(`  ${formatDiagnostic(d)}`);
    const more = err.diagnostics.length - MAX_DIAGNOSTICS;
    if (more > 0) say(`  ... and ${more} more (fix these first)`);
    say("nothing was changed on any server");
    return EXIT_BAD_INPUT;
  }
  if (err instanceof ConnectError || err instanceof TaskError) {
    // What a server printed may be in it (a command's stderr, a log's tail): escaped line by line.
    const [first = "", ...rest] = err.message.split("\n");
    say(`error: ${printable(first)}`);
    for (const line of rest) say(printable(line));
    return EXIT_FAILED;
  }
  say("ksorch: unexpected internal error, please report it with the output below");
  say(inspect(err));
  return EXIT_FAILED;
}
