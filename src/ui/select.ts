// Which renderer a run gets: the live view in a terminal, plain lines in a pipe or when CI is
// set, and with --json the report on stdout with progress kept on stderr.
import type { Reporter } from "../engine/reporter.js";
import { JsonReporter } from "./json.js";
import { PlainReporter } from "./plain.js";
import { colourWanted, palette } from "./style.js";

export async function chooseReporter(
  opts: { json: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Reporter> {
  const err = process.stderr;
  const p = palette(colourWanted(err, env));
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false";
  // listr2 is loaded only for a terminal: a pipe or CI does not pay for it.
  const progress =
    err.isTTY && !ci
      ? new (await import("./live.js")).LiveReporter(p, err)
      : new PlainReporter(err, p);
  return opts.json ? new JsonReporter(progress) : progress;
}
