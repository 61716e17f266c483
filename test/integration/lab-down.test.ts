// `ksorch lab down` acts only on what `lab up` recorded for that name: the namespaces of its
// state and the processes inside them. A namespace that merely shares the name's prefix, and
// its processes, are left alone and named. Needs root; builds no lab (under a second).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import { labNamespaces } from "../../src/lab/down.js";
import { labInventoryOf } from "../../src/lab/inventory.js";
import { labPaths } from "../../src/lab/paths.js";
import { isAlive } from "../../src/lab/procs.js";
import { runOk } from "../../src/lab/run.js";
import { writeState } from "../../src/lab/state.js";
import { planLab } from "../../src/lab/topology.js";
import { REPO, ksorch, testLab } from "./helpers/lab.js";

const LAB = testLab("dn");

/** A process sleeping inside namespace `ns`, as a lab host's processes do. */
function sleeper(ns: string): ChildProcess {
  return spawn("ip", ["netns", "exec", ns, "sleep", "300"], { stdio: "ignore" });
}

describe("lab down", () => {
  const plan = planLab(labInventoryOf(loadInventory(`${REPO}/inventory/lab.yaml`)), {
    name: LAB,
    servers: 1,
    clients: 0,
  });
  const recorded = [plan.switchNs, `${LAB}.server1`];
  const stray = `${LAB}.stray`;
  const procs: ChildProcess[] = [];

  beforeAll(async () => {
    await ksorch(["lab", "down", "--name", LAB]);
    await runOk(["ip", "netns", "del", stray]).catch(() => undefined);
    // What `lab up` writes before it creates anything, then what it creates.
    await writeState({ plan, inventory: "test", createdAt: new Date().toISOString(), servers: {} });
    for (const ns of [...recorded, stray]) await runOk(["ip", "netns", "add", ns]);
    procs.push(sleeper(recorded[1] ?? ""), sleeper(stray));
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    for (const p of procs) p.kill("SIGKILL");
    await runOk(["ip", "netns", "del", stray]).catch(() => undefined);
    await ksorch(["lab", "down", "--name", LAB]);
  });

  it("removes the recorded namespaces and their processes, and nothing else", async () => {
    const [inLab, inStray] = procs.map((p) => p.pid ?? 0);
    expect(await isAlive(inLab ?? 0)).toBe(true);
    const r = await ksorch(["lab", "down", "--name", LAB, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { namespaces: string[]; unrecorded: string[] };
    expect(out.namespaces.sort()).toEqual([...recorded].sort());
    expect(out.unrecorded).toEqual([stray]);
    expect(r.stderr).toContain(`left alone, not recorded by lab up: ${stray}`);
    expect(await labNamespaces(LAB)).toEqual([stray]);
    expect(await isAlive(inLab ?? 0)).toBe(false);
    expect(await isAlive(inStray ?? 0)).toBe(true);
    expect(existsSync(labPaths(LAB).root)).toBe(false);
  });

  it("refuses a name that is not a lab name, before it removes anything (exit 2)", async () => {
    for (const name of ["", "/", "/../../../../tmp", ".."]) {
      const r = await ksorch(["lab", "down", "--name", name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain("a lab name is lower-case letters");
    }
    expect(await labNamespaces(LAB)).toEqual([stray]);
  });
});
