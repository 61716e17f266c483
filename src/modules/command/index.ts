// command and shell: run something the other modules do not cover. Without a guard a command
// always reports changed (ksorch cannot know what it did); `creates`, `removes` or `unless`
// make it idempotent, `changes: false` marks a read-only check.
import { z } from "zod";
import { quote, sh } from "../../transport/quote.js";
import { absolutePath } from "../files/args.js";
import { change, command, noop, type Module } from "../types.js";

const guards = {
  /** Skip when this path exists (the command makes it). */
  creates: absolutePath.optional(),
  /** Skip when this path does not exist (the command removes it). */
  removes: absolutePath.optional(),
  /** Skip when this shell command succeeds (a read-only probe, run while planning). */
  unless: z.string().min(1).optional(),
  /** false: the command only checks something, the task is ok when it succeeds. */
  changes: z.boolean().default(true),
  /** Give up after this many seconds (exit 124). */
  timeout: z.number().positive().optional(),
};

interface Guarded {
  creates?: string | undefined;
  removes?: string | undefined;
  unless?: string | undefined;
  changes: boolean;
  timeout?: number | undefined;
}

function guardProbe(g: Guarded): { probe: string; reason: string } | undefined {
  if (g.creates) return { probe: sh`test -e ${g.creates}`, reason: `${g.creates} exists` };
  if (g.removes)
    return { probe: sh`test ! -e ${g.removes}`, reason: `${g.removes} does not exist` };
  if (g.unless) return { probe: g.unless, reason: `unless: ${g.unless} succeeded` };
  return undefined;
}

function defineRunner<S extends z.ZodType<Guarded>>(
  name: string,
  description: string,
  args: S,
  toShell: (a: z.infer<S>) => string,
): Module<S> {
  return {
    name,
    description,
    args,
    async plan(a, host) {
      const guard = guardProbe(a);
      if (guard && (await host.transport.run(guard.probe)).exitCode === 0)
        return noop(guard.reason);
      const cmd = toShell(a);
      return change(cmd, [
        command(cmd, cmd, {
          ...(a.changes ? {} : { readOnly: true }),
          ...(a.timeout !== undefined ? { timeoutMs: a.timeout * 1000 } : {}),
        }),
      ]);
    },
  };
}

export const commandModule = defineRunner(
  "command",
  "Run a program with arguments (no shell); guard it with creates, removes or unless",
  z.strictObject({
    /** Program and arguments, each quoted. */ argv: z.array(z.string()).min(1),
    ...guards,
  }),
  (a) => a.argv.map((p) => quote(p)).join(" "),
);

export const shellModule = defineRunner(
  "shell",
  "Run a shell command line (pipes, redirections); guard it with creates, removes or unless",
  z.strictObject({ /** A /bin/sh command line. */ cmd: z.string().min(1), ...guards }),
  (a) => a.cmd,
);
