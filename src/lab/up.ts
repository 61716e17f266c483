// `lab up`: plan, make sure the image (and install tree) are cached, then wire the network,
// boot the servers and publish their sshd. A lab already up with the same shape is reused.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { TaskError } from "../errors.js";
import { labNamespaces, teardown } from "./down.js";
import { powerOn } from "./faults.js";
import { startFenceAgent } from "./fence.js";
import { withLabLock } from "./lock.js";
import { ensureImage } from "./image.js";
import { labNameFor, readLabInventory, type LabInventory } from "./inventory.js";
import { DEFAULT_TREE_SIZE, ensureTree, parseSize } from "./tree/build.js";
import { writeLabInventory } from "./lab-inventory.js";
import { allNetns, createNetwork } from "./net.js";
import { labPaths } from "./paths.js";
import { DEFAULT_INVENTORY } from "../inventory/load.js";
import { startServerWithSsh } from "./server.js";
import { ensureKeyPair, knownHostsLine, portIsFree, writeKnownHosts } from "./ssh.js";
import { readState, writeState, type LabState } from "./state.js";
import { labStatus, type LabStatus } from "./status.js";
import { planLab, reachesLab, type LabOptions, type LabPlan } from "./topology.js";

export interface UpOptions extends Omit<LabOptions, "name"> {
  /** Default: the lab the inventory was written for, or its cluster id (labNameFor). */
  name?: string;
  inventory?: string;
  /** Bytes of the cached install tree (see ensureTree); default DEFAULT_TREE_SIZE. */
  treeBytes?: number;
}

export interface UpResult {
  status: LabStatus;
  reused: boolean;
  imageBuilt: boolean;
  durationMs: number;
}

const samePlan = (a: LabPlan, b: LabPlan): boolean => JSON.stringify(a) === JSON.stringify(b);

export function labUp(opts: UpOptions, log: (line: string) => void): Promise<UpResult> {
  const inventory = resolve(opts.inventory ?? DEFAULT_INVENTORY);
  const inv = readLabInventory(inventory);
  const name = opts.name ?? labNameFor(inv, inventory);
  return withLabLock(name, log, () => up({ ...opts, name }, inventory, inv, log));
}

async function up(
  opts: UpOptions & { name: string },
  inventory: string,
  inv: LabInventory,
  log: (line: string) => void,
): Promise<UpResult> {
  const started = performance.now();
  const plan = planLab(inv, opts);
  const elapsed = (): number => Math.round(performance.now() - started);

  const image = await ensureImage(log);
  await ensureTree(opts.treeBytes ?? parseSize(DEFAULT_TREE_SIZE), log);
  const previous = await readState(plan.name);
  if (previous && samePlan(previous.plan, plan) && (await reusable(plan, log))) {
    log(`lab ${plan.name}: already up`);
    // Rewritten all the same: it follows the source inventory (and the format of this version).
    await writeLabInventory(inventory, plan);
    const status = await labStatus(plan.name);
    return { status, reused: true, imageBuilt: image.built, durationMs: elapsed() };
  }
  if (previous) log(`lab ${plan.name}: replacing the previous lab`);
  // Leftovers of a crashed run are cleared by the same code as `lab down`.
  const { unrecorded } = await teardown(plan.name);
  const taken = allNetns(plan).filter((ns) => unrecorded.includes(ns));
  if (taken.length > 0)
    throw new TaskError(
      `lab ${plan.name}: namespaces ${taken.join(", ")} exist but no lab up recorded them, so they are not this lab's to remove: delete them (ip netns del NAME) or choose another --name`,
    );
  for (const s of plan.servers)
    if (!(await portIsFree(s.sshPort)))
      throw new TaskError(
        `port 127.0.0.1:${s.sshPort} for ${s.name} is in use (another lab? choose --port-base)`,
      );
  try {
    await bringUp(plan, inventory, reachesLab(inv, plan), log);
  } catch (err) {
    log(`lab ${plan.name}: failed, tearing down what was started`);
    await teardown(plan.name).catch(() => undefined);
    throw err;
  }
  log(`lab ${plan.name}: up in ${elapsed()} ms`);
  return {
    status: await labStatus(plan.name),
    reused: false,
    imageBuilt: image.built,
    durationMs: elapsed(),
  };
}

/** A lab whose namespaces all exist is kept; servers found powered off are booted again. */
async function reusable(plan: LabPlan, log: (line: string) => void): Promise<boolean> {
  const existing = new Set(await labNamespaces(plan.name));
  if (!allNetns(plan).every((ns) => existing.has(ns))) return false;
  for (const s of (await labStatus(plan.name)).servers.filter((x) => !x.running)) {
    log(`lab ${plan.name}: ${s.name} is off, booting it`);
    await powerOn(plan.name, s.name);
  }
  return (await labStatus(plan.name)).up;
}

async function bringUp(
  plan: LabPlan,
  inventory: string,
  direct: boolean,
  log: (line: string) => void,
): Promise<void> {
  const paths = labPaths(plan.name);
  await mkdir(paths.root, { recursive: true });
  const state: LabState = {
    plan,
    inventory,
    direct,
    createdAt: new Date().toISOString(),
    servers: {},
  };
  await writeState(state);
  await ensureKeyPair(plan.name);
  log(`lab ${plan.name}: network (${plan.servers.length} servers, ${plan.clients.length} clients)`);
  await createNetwork(plan);
  await startFenceAgent(plan);
  const started = await Promise.all(plan.servers.map((s) => startServerWithSsh(plan, s)));
  plan.servers.forEach((s, i) => {
    const st = started[i];
    if (st) state.servers[s.name] = st.runtime;
  });
  await writeState(state);
  await writeKnownHosts(
    plan.name,
    plan.servers.map((s, i) => knownHostsLine(s.sshPort, started[i]?.hostKey ?? "")),
  );
  await writeLabInventory(inventory, plan);
}
