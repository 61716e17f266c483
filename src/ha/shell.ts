// Shell fragments shared by the engines' fault commands. Each command that injects a fault
// prints the server's clock just before acting, so the fault is timed by the same clock as the
// observations.

/** Prints epoch nanoseconds: the first line of every fault command's output. */
export const STAMP = "date +%s%N";

/** Kills a pidfile's process and its direct children at once; no name matching. */
export function killTreeByPidfile(pidfile: string): string {
  return [
    `m=$(cat ${pidfile}) || exit 3`,
    'kids=$(ps -o pid= --ppid "$m")',
    STAMP,
    'kill -9 "$m" $kids',
  ].join("; ");
}
