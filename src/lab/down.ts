// Tearing a lab down: what `lab up` recorded for that name and nothing else: the namespaces of
// its recorded plan, the processes inside them and its socats, and its folder below LABS_DIR.
// The name is checked first (labPaths), so no name reaches another folder or every lab's
// namespaces. The state is written before anything is created, so this is safe after a crash
// and when run twice.
import { rm } from "node:fs/promises";
import { TaskError } from "../errors.js";
import { withLabLock } from "./lock.js";
import { allNetns } from "./net.js";
import { labPaths } from "./paths.js";
import { kill, pidsInNetns, pidsWithArg, waitGone } from "./procs.js";
import { run, runOk } from "./run.js";
import { readState } from "./state.js";

export interface DownResult {
  name: string;
  killed: number[];
  namespaces: string[];
  /** Namespaces named like this lab's that its state does not list: left alone. */
  unrecorded: string[];
}

export async function labNamespaces(name: string): Promise<string[]> {
  const r = await run(["ip", "netns", "list"]);
  return r.stdout
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((ns) => ns.startsWith(`${name}.`));
}

/** `lab down`: waits for a concurrent `lab up`/`lab down` of the same lab to finish first. */
export async function labDown(
  name: string,
  log: (line: string) => void = () => undefined,
): Promise<DownResult> {
  return withLabLock(name, log, () => teardown(name));
}

/** The namespaces `lab up` recorded for `name` that exist; only ever `<name>.*` ones. */
async function recordedNamespaces(name: string, existing: string[]): Promise<string[]> {
  const state = await readState(name);
  const recorded = new Set(state ? allNetns(state.plan) : []);
  return existing.filter((ns) => recorded.has(ns));
}

/** Removes the lab; the caller holds the lab's lock. */
export async function teardown(name: string): Promise<DownResult> {
  const paths = labPaths(name);
  const existing = await labNamespaces(name);
  const namespaces = await recordedNamespaces(name, existing);
  const unrecorded = existing.filter((ns) => !namespaces.includes(ns));
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
  return { name, killed, namespaces, unrecorded };
}
