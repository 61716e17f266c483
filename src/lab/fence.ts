// The lab's stand-in for a BMC: a fence agent that listens on the switch's LAN address (the
// inventory's `ha.ping`) and powers off the lab server whose name it is sent, as
// `ipmitool chassis power off` does on real hardware. The HA engine's fence hook (`ha.fence`
// in the lab inventories) talks to it with bash's /dev/tcp: one line with the host name, one
// line back, `off` or `error: <why>`. It runs in the switch namespace, so only the lab's LAN
// reaches it, and `lab down` stops it with every other process of the lab's namespaces.
import { createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { TaskError } from "../errors.js";
import { powerOff } from "./faults.js";
import { isAlive } from "./procs.js";
import { spawnDetached } from "./run.js";
import { readState } from "./state.js";
import { labPaths } from "./paths.js";
import type { LabPlan } from "./topology.js";

export const FENCE_PORT = 6230;

/** Starts `ksorch lab fence-agent` in the switch namespace; returns its PID. */
export async function startFenceAgent(plan: LabPlan): Promise<number | undefined> {
  if (!plan.gateway) return undefined;
  const [node, main] = [process.execPath, process.argv[1]];
  if (!main) throw new TaskError("fence agent: cannot tell where ksorch's CLI is");
  return spawnDetached(
    [
      "nsenter",
      `--net=/run/netns/${plan.switchNs}`,
      node,
      main,
      "lab",
      "fence-agent",
      "--name",
      plan.name,
    ],
    `${labPaths(plan.name).root}/fence-agent.log`,
  );
}

/** Serves fence requests until killed (run inside the switch namespace). */
export async function serveFenceAgent(lab: string): Promise<void> {
  const state = await readState(lab);
  const address = state?.plan.gateway?.split("/")[0];
  if (!state || !address) throw new TaskError(`lab ${lab} has no gateway to serve fencing on`);
  const servers = new Set(state.plan.servers.map((s) => s.name));
  const server = createServer((socket) => void answer(lab, servers, socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(FENCE_PORT, address, () => resolve());
  });
  console.log(`fence agent of lab ${lab} on ${address}:${FENCE_PORT}`);
}

async function answer(lab: string, servers: Set<string>, socket: Socket): Promise<void> {
  socket.setTimeout(5000, () => socket.destroy());
  const lines = createInterface({ input: socket });
  for await (const line of lines) {
    const host = line.trim();
    socket.end(`${await fence(lab, servers, host)}\n`);
    console.log(`${new Date().toISOString()} fence ${host}`);
    return;
  }
}

async function fence(lab: string, servers: Set<string>, host: string): Promise<string> {
  if (!servers.has(host)) return `error: lab ${lab} has no server ${host}`;
  try {
    const pid = (await readState(lab))?.servers[host]?.initPid;
    // Already off is what the caller wants.
    if (pid === undefined || !(await isAlive(pid))) return "off";
    await powerOff(lab, host);
    return "off";
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}
