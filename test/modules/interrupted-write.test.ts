// A file write stopped halfway (SIGTERM to its process group, as an interrupted apply sends)
// leaves neither a half file in place nor its temporary file; a failed step's reason names a
// full disk wherever tar said it.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { failureLine } from "../../src/engine/execute.js";
import { atomicWrite } from "../../src/modules/files/remote.js";

describe("an interrupted file write", () => {
  it("keeps the old file and removes its temporary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ksorch-write-"));
    const dest = join(dir, "dhcpd.conf");
    await writeFile(dest, "old\n");
    const p = spawn("/bin/sh", ["-c", atomicWrite(dest, { mode: 0o644 })], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    p.stdin.write("half of the new ");
    for (let i = 0; i < 250 && (await readdir(dir)).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(dir)).length).toBe(2);
    process.kill(-(p.pid as number), "SIGTERM");
    await new Promise((r) => p.once("close", r));
    expect(await readFile(dest, "utf8")).toBe("old\n");
    expect(await readdir(dir)).toEqual(["dhcpd.conf"]);
  }, 15_000);
});

describe("failureLine", () => {
  it("names a full disk from tar's stderr, not its closing line", () => {
    const tar = [
      "tar: ./images/install.img: Wrote only 4096 of 10240 bytes",
      "tar: ./Packages/big.rpm: Cannot write: No space left on device",
      "tar: Exiting with failure status due to previous errors",
    ].join("\n");
    expect(failureLine(tar)).toBe(
      "the host's disk is full (ENOSPC): tar: ./Packages/big.rpm: Cannot write: No space left on device",
    );
    expect(failureLine("first\nlast line\n")).toBe("last line");
  });
});
