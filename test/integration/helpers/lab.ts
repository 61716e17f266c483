// Helpers for integration tests that need a lab: run the built CLI, make sure a lab is up,
// and check that one is completely gone. Each test file uses a lab name of its own.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { labNamespaces } from "../../../src/lab/down.js";
import { labPaths } from "../../../src/lab/paths.js";
import { pidsWithArg } from "../../../src/lab/procs.js";
import type { ClientReport } from "../../../src/lab/client/report.js";
import type { LabStatus } from "../../../src/lab/status.js";
import type { ClientPlan } from "../../../src/topology/types.js";

const pexec = promisify(execFile);
export const REPO = join(import.meta.dirname, "../../..");
export const CLI = join(REPO, "dist/cli/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The lab name a test file uses: its own base name, plus KSORCH_TEST_LAB_SUFFIX when set, so
 *  a second checkout can run the suite while another one's labs are up. */
export function testLab(base: string): string {
  return base + (process.env.KSORCH_TEST_LAB_SUFFIX ?? "");
}

/** Runs `ksorch ARGS` (the built CLI, as a user would) and returns its exit code and output. */
export async function ksorch(args: string[]): Promise<CliResult> {
  try {
    const r = await pexec("node", [CLI, ...args], { cwd: REPO, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** Applies `inventory` for a test's setup. A second run finishes what a transient failure
 *  interrupted (apply is idempotent); apply.test.ts asserts a first apply succeeds on its own. */
export async function applyLab(inventory: string): Promise<void> {
  let applied = await ksorch(["apply", inventory]);
  if (applied.code !== 0) {
    console.error(`first apply of ${inventory} failed, applying again:\n${applied.stderr}`);
    applied = await ksorch(["apply", inventory]);
  }
  if (applied.code !== 0) throw new Error(`apply failed:\n${applied.stdout}\n${applied.stderr}`);
}

/** Takes down whatever is left of lab `name` (an earlier crashed run) and brings it up anew. */
export async function freshLab(name: string, extra: string[] = []): Promise<LabStatus> {
  await ksorch(["lab", "down", "--name", name]);
  return ensureLab(name, extra);
}

/** Takes lab `name` down and checks that no namespace, mount or process of it is left. */
export async function removeLab(name: string): Promise<void> {
  await ksorch(["lab", "down", "--name", name]);
  expect(await labLeftovers(name)).toEqual([]);
}

/** Brings lab `name` up (reused when already up with the same shape) and returns its status. */
export async function ensureLab(name: string, extra: string[] = []): Promise<LabStatus> {
  const r = await ksorch(["lab", "up", "--name", name, "--json", ...extra]);
  if (r.code !== 0) throw new Error(`ksorch lab up --name ${name} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as LabStatus;
}

/** What is left of lab `name`: namespaces, processes, mounts and its state directory. */
export async function labLeftovers(name: string): Promise<string[]> {
  const root = labPaths(name).root;
  const left: string[] = (await labNamespaces(name)).map((ns) => `namespace ${ns}`);
  // Broader than what `lab down` kills: any process still naming the lab's directory.
  for (const pid of await pidsWithArg(`${root}/`)) left.push(`process ${pid}`);
  const mounts = await readFile("/proc/self/mountinfo", "utf8");
  for (const line of mounts.split("\n"))
    if (line.includes(`${root}/`) || line.includes(`/run/netns/${name}.`))
      left.push(`mount ${line}`);
  if (existsSync(root)) left.push(`directory ${root}`);
  return left;
}

/** argv of `ssh` to a lab server through its loopback port, host key checked strictly. */
export function sshArgv(status: LabStatus, port: number, command: string): string[] {
  if (!status.ssh) throw new Error(`lab ${status.name} is not up`);
  return [
    "-i",
    status.ssh.key,
    "-o",
    `UserKnownHostsFile=${status.ssh.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-p",
    String(port),
    "root@127.0.0.1",
    command,
  ];
}

export async function ssh(status: LabStatus, port: number, command: string): Promise<CliResult> {
  try {
    const r = await pexec("ssh", sshArgv(status, port, command));
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** `ksorch plan --json`: every client of the inventory with its VIP, servers and files. */
export async function planOf(inventory: string): Promise<ClientPlan[]> {
  return JSON.parse((await ksorch(["plan", inventory, "--json"])).stdout) as ClientPlan[];
}

/** `ksorch lab install` on lab `name`, `uefi` booting as UEFI firmware: every client passes
 *  and the exit code says so. Returns the clients' reports. */
export async function installClients(name: string, uefi: string[]): Promise<ClientReport[]> {
  const r = await ksorch(["lab", "install", "--name", name, "--uefi", uefi.join(","), "--json"]);
  const reports = JSON.parse(r.stdout) as ClientReport[];
  expect(reports.filter((c) => c.verdict !== "pass").map((c) => c.error)).toEqual([]);
  expect(r.code).toBe(0);
  return reports;
}
