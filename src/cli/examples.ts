// The "Examples:" block that ends every command's --help: invocations an admin would type, with
// the repository's own inventories. test/cli/examples.test.ts parses each one with the command's
// own options, so an example cannot name a flag or a choice that does not exist.

/** Text for `addHelpText("after", ...)` (which adds the final newline), added last so the block
 *  ends the help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}`;
}
