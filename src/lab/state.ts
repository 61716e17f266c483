// The record of a running lab: its plan plus the PIDs that make it up. Written after every
// step (temp file + rename), so `lab down` after a crash knows what was started.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { labPaths } from "./paths.js";
import type { LabPlan } from "./topology.js";

export interface ServerRuntime {
  /** PID (in the root pid namespace) of the host's init; killing it powers the host off. */
  initPid?: number;
  /** Epoch ms of the host's last power-off (a drill's fault or a peer's fencing). */
  offAtMs?: number;
  /** socat in the root namespace listening on 127.0.0.1:sshPort. */
  outerSocatPid?: number;
  /** socat in the host's network namespace forwarding to its sshd. */
  innerSocatPid?: number;
}

export interface LabState {
  plan: LabPlan;
  /** Inventory the lab was planned from. */
  inventory: string;
  /** That inventory reaches the lab as it is (else only the lab's rewritten copy does). */
  direct?: boolean;
  createdAt: string;
  servers: Record<string, ServerRuntime>;
}

export async function readState(name: string): Promise<LabState | undefined> {
  const text = await readFile(labPaths(name).state, "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as LabState);
}

export async function writeState(state: LabState): Promise<void> {
  const file = labPaths(state.plan.name).state;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + "\n");
  await rename(tmp, file);
}
