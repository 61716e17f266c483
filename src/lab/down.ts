// Tearing a lab down: every process in its namespaces, its socats, its namespaces and its
// state directory; nothing of any other lab. Works from names only (namespaces `<lab>.*`,
// sockets in the lab's run dir), so it is safe after a crash and when run twice.
import { rm } from "node:fs/promises";
import { TaskError } from "../errors.js";
import { withLabLock } from "./lock.js";
import { labPaths } from "./paths.js";
import { kill, pidsInNetns, pidsWithArg, waitGone } from "./procs.js";
import { run, runOk } from "./run.js";

export interface DownResult {
  name: string;
  killed: number[];
  namespaces: string[];
}

export async function labNamespaces(name: string): Promise<string[]> {
  const r = await run(["ip", "netns", "list"]);
  return r.stdout
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((ns) => ns.startsWith(`${name}.`));
}

/** `lab down`: waits for a concurrent `lab up`/`lab down` of the same lab to finish first. */
export function labDown(
  name: string,
  log: (line: string) => void = () => undefined,
): Promise<DownResult> {
  return withLabLock(name, log, () => teardown(name));
}

/** Removes the lab; the caller holds the lab's lock. */
export async function teardown(name: string): Promise<DownResult> {
  const namespaces = await labNamespaces(name);
  const paths = labPaths(name);
  // Found, not remembered: a PID recorded before a crash may since belong to someone else,
  // while a process inside the lab's namespaces or holding the lab's sockets cannot. Only the
  // socket directory is matched: `ssh -i <lab key>` or `ksorch apply <lab inventory>` of a
  // user mention the lab's directory too, and are not the lab's to stop.
  const found = new Set<number>([
    ...(await Promise.all(namespaces.map(pidsInNetns))).flat(),
    ...(await pidsWithArg(`${paths.runDir}/`)),
  ]);
  found.delete(process.pid);
  const killed = [...found];
  for (const pid of killed) kill(pid);
  const left = await waitGone(killed);
  if (left.length > 0)
    throw new TaskError(`lab ${name}: processes did not exit: ${left.join(" ")}`);
  if (namespaces.length > 0)
    await runOk(["ip", "-batch", "-"], {
      input: namespaces.map((ns) => `netns del ${ns}`).join("\n") + "\n",
    });
  await rm(paths.root, { recursive: true, force: true });
  return { name, killed, namespaces };
}
