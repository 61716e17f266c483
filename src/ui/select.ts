// Which renderer a run gets: the live view in a terminal, plain lines in a pipe or when CI is
// set, and with --json the report on stdout with progress kept on stderr.
import type { Reporter } from "../engine/reporter.js";
import { JsonReporter } from "./json.js";
import { LiveReporter } from "./live.js";
import { PlainReporter } from "./plain.js";
import { colourWanted, palette } from "./style.js";

export function chooseReporter(
  opts: { json: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Reporter {
  const err = process.stderr;
  const p = palette(colourWanted(err, env));
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false";
  const progress = err.isTTY && !ci ? new LiveReporter(p, err) : new PlainReporter(err, p);
  return opts.json ? new JsonReporter(progress) : progress;
}
