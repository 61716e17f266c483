// SIGINT and SIGTERM for the commands that change servers (apply, drill): the first signal
// aborts the run, which stops starting work, stops what runs on the servers, cleans up and
// reports; a second one exits at once. Exit codes are the shell's for a death by that signal:
// 128 + its number (SIGINT 2 -> 130, SIGTERM 15 -> 143).
export const SIGNAL_EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interrupt {
  /** Aborted with the signal's name as its reason. */
  signal: AbortSignal;
  /** 130 or 143 once a signal came, else undefined. */
  exitCode(): number | undefined;
  /** Removes the handlers (the default action returns). */
  dispose(): void;
}

export function onInterrupt(what: string, say: (line: string) => void): Interrupt {
  const ctl = new AbortController();
  let first: keyof typeof SIGNAL_EXIT | undefined;
  const handler = (sig: keyof typeof SIGNAL_EXIT): void => {
    if (first !== undefined) {
      say(`${sig} again: exiting now; what was running on the servers may still run`);
      process.exit(SIGNAL_EXIT[sig]);
    }
    first = sig;
    say(`${sig}: stopping ${what} (a second signal exits at once)`);
    ctl.abort(sig);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: ctl.signal,
    exitCode: () => (first === undefined ? undefined : SIGNAL_EXIT[first]),
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
