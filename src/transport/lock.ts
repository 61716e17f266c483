// One run at a time per server: a lock taken right after connecting, held until the run ends.
// The lock is flock(2) on a file in /run/lock, held by a process on the server that lives on
// the run's own SSH connection (its stdin is the channel). Why this mechanism: the kernel
// releases a flock when its holder dies, and sshd ends the holder when the connection closes,
// so a run that died (kill -9, a crash, a lost link once the server's TCP gives up) leaves no
// lock to clean up by hand: its lock is stale the moment it is gone and the next run takes it
// over. /run is a tmpfs: a reboot clears it too. Who holds it (user@host, PID, command, since
// when) is written beside it, for the message a second run gets.
import { hostname, userInfo } from "node:os";
import { TaskError } from "../errors.js";
import { sleep } from "../poll.js";
import { sh } from "./quote.js";

export const LOCK_FILE = "/run/lock/ksorch.lock";
const OWNER_FILE = "/run/lock/ksorch.owner";
/** How long a run waits for another run's lock on a server before it refuses. */
export const LOCK_WAIT_MS = 10_000;
/** How often a waiting run tries again. */
const RETRY_MS = 1000;

export interface LockHolder {
  hold(
    command: string,
  ): Promise<{ firstLine: string; rest: () => Promise<string>; end: () => void }>;
  readonly host: string;
}

/** Who this run is, in one line without control characters. */
export function runOwner(now = new Date()): string {
  const cmd = ["ksorch", ...process.argv.slice(2)].join(" ");
  // eslint-disable-next-line no-control-regex
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 300);
  return clean(
    `${userInfo().username}@${hostname()} pid ${process.pid} (${cmd}) since ${now.toISOString()}`,
  );
}

/** Takes the lock or says who holds it; holds it (reading stdin) once taken. */
export function lockCommand(owner: string): string {
  return [
    sh`mkdir -p /run/lock && exec 9>>${LOCK_FILE}`,
    sh`if flock -n 9; then printf '%s\n' ${owner} > ${OWNER_FILE}; echo locked; exec cat >/dev/null; fi`,
    sh`echo busy; cat ${OWNER_FILE} 2>/dev/null`,
  ].join("; ");
}

/**
 * Takes the server's lock, waiting up to `waitMs` for another run to finish; resolves with the
 * function that releases it. Refuses with who holds it after that.
 */
export async function takeLock(
  t: LockHolder,
  waitMs: number,
  say: (line: string) => void,
  owner = runOwner(),
): Promise<() => void> {
  const until = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const h = await t.hold(lockCommand(owner));
    if (h.firstLine === "locked") return h.end;
    const holder = (await h.rest()).trim() || "another ksorch run (its details are missing)";
    if (h.firstLine !== "busy")
      throw new TaskError(
        `${t.host}: cannot take the ksorch lock ${LOCK_FILE} (is flock installed?)`,
      );
    if (Date.now() + RETRY_MS > until)
      throw new TaskError(
        `${t.host} is locked by ${holder}: another ksorch run is changing it. Wait for it to end (or stop it), then run again`,
      );
    if (!told)
      say(`${t.host}: waiting up to ${Math.round(waitMs / 1000)} s for the lock held by ${holder}`);
    told = true;
    await sleep(RETRY_MS);
  }
}
