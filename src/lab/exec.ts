// Running a command in a lab host by name: inside a server's namespaces (its own root, pid
// tree and hostname), or in a client's network namespace.
import { TaskError } from "../errors.js";
import { inNetns } from "./client/netns.js";
import { inHostArgv } from "./host.js";
import { run, type RunOptions, type RunResult } from "./run.js";
import { readState } from "./state.js";

export async function hostArgv(lab: string, host: string, argv: string[]): Promise<string[]> {
  const state = await readState(lab);
  if (!state) throw new TaskError(`lab ${lab} is not up`);
  const client = state.plan.clients.find((c) => c.name === host);
  if (client) return inNetns(client.netns, argv);
  const initPid = state.servers[host]?.initPid;
  if (!state.plan.servers.some((s) => s.name === host))
    throw new TaskError(`lab ${lab} has no host ${host}`);
  if (!initPid) throw new TaskError(`${host} of lab ${lab} is powered off`);
  return inHostArgv(initPid, argv);
}

/** Runs argv in `host` of `lab` and returns its result whatever the exit code. */
export async function execInHost(
  lab: string,
  host: string,
  argv: string[],
  opts?: RunOptions,
): Promise<RunResult> {
  return run(await hostArgv(lab, host, argv), opts);
}
