// The lab's freeze, for real on a throwaway PID namespace of stand-in processes (root only),
// and the iptables rules of the `drop` link fault.
import { spawn } from "node:child_process";
import { readFile, readlink } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { dropRuleArgs, freezePidNs } from "../../src/lab/faults.js";

const isRoot = process.getuid?.() === 0;

async function procState(pid: number): Promise<string> {
  const st = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return /^\d+ \(.*\) (\S) /s.exec(st)?.[1] ?? "";
}

async function membersOf(initPid: number): Promise<number[]> {
  const ns = await readlink(`/proc/${initPid}/ns/pid`);
  const { readdir } = await import("node:fs/promises");
  const found: number[] = [];
  for (const e of await readdir("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    if ((await readlink(`/proc/${e}/ns/pid`).catch(() => "")) === ns) found.push(Number(e));
  }
  return found;
}

describe("lab faults", () => {
  it("drops IP in and out of one interface, marked so that the undo deletes only those rules", () => {
    expect(dropRuleArgs("eth1")).toEqual([
      ["INPUT", "-i", "eth1", "-m", "comment", "--comment", "ksorch-drill", "-j", "DROP"],
      ["OUTPUT", "-o", "eth1", "-m", "comment", "--comment", "ksorch-drill", "-j", "DROP"],
    ]);
  });

  it.skipIf(!isRoot)(
    "freezes every process of a pid namespace (forks included) and resumes them all",
    async () => {
      // An init with a child and a grandchild that keeps forking `true`.
      const script = "sleep 60 & sh -c 'while :; do true; done' & wait";
      const unshare = spawn("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", script], {
        stdio: "ignore",
      });
      let init: number | undefined;
      try {
        for (let i = 0; i < 100 && init === undefined; i++) {
          await new Promise((r) => setTimeout(r, 20));
          const kids = await readFile(
            `/proc/${unshare.pid}/task/${unshare.pid}/children`,
            "utf8",
          ).catch(() => "");
          const first = kids.trim().split(/\s+/)[0];
          if (first && (await membersOf(Number(first))).length >= 3) init = Number(first);
        }
        expect(init).toBeDefined();
        const frozen = await freezePidNs(init as number);
        const members = await membersOf(init as number);
        expect(frozen.stopped).toBeGreaterThanOrEqual(3);
        expect(await Promise.all(members.map(procState))).toEqual(members.map(() => "T"));
        // Held: nothing runs, nothing forks.
        await new Promise((r) => setTimeout(r, 200));
        expect((await membersOf(init as number)).sort()).toEqual([...members].sort());
        expect(await procState(process.pid)).not.toBe("T");
        await frozen.resume();
        const after = await Promise.all((await membersOf(init as number)).map(procState));
        expect(after.filter((s) => s === "T")).toEqual([]);
      } finally {
        // Killing the namespace's init (by its PID) ends every process in it; unshare follows.
        if (init !== undefined) process.kill(init, "SIGKILL");
        unshare.kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  );
});
