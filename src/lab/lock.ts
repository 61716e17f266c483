// One `lab up` or `lab down` at a time per lab name, one build of the image or the tree at a
// time: several people and test runs share the machine, and two runs building the same thing
// at once would tear each other's work down.
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { TaskError } from "../errors.js";
import { sleep } from "../poll.js";
import { LABS_DIR, checkLabName } from "./paths.js";
import { isAlive } from "./procs.js";

async function tryLock(file: string): Promise<boolean> {
  try {
    const fh = await open(file, "wx");
    await fh.writeFile(String(process.pid));
    await fh.close();
    return true;
  } catch {
    // Held: by a live process (wait), or left by one that died (take it over).
    const holder = Number(await readFile(file, "utf8").catch(() => "0"));
    if (holder > 0 && holder !== process.pid && (await isAlive(holder))) return false;
    await rm(file, { force: true });
    return false;
  }
}

/** Runs `fn` holding the lock file `file` (created, holding our PID, removed afterwards). */
export async function withFileLock<T>(
  file: string,
  what: string,
  log: (line: string) => void,
  fn: () => Promise<T>,
  timeoutMs = 180_000,
): Promise<T> {
  await mkdir(dirname(file), { recursive: true });
  const until = Date.now() + timeoutMs;
  let told = false;
  while (!(await tryLock(file))) {
    if (Date.now() > until) throw new TaskError(`${what}: still locked by another run (${file})`);
    if (!told) log(`${what}: waiting for another run to finish`);
    told = true;
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

export async function withLabLock<T>(
  name: string,
  log: (line: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  return withFileLock(join(LABS_DIR, `.${checkLabName(name)}.lock`), `lab ${name}`, log, fn);
}
