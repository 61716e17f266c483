// sync end to end against the real shell and tar: the "remote" side is a temporary directory.
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  diffTrees,
  globToRegExp,
  parseRemoteManifest,
  type Entry,
} from "../../src/modules/sync/manifest.js";
import { syncModule } from "../../src/modules/sync/index.js";
import type { Plan } from "../../src/modules/types.js";
import { applyPlan, localHost, localTransport } from "./helpers.js";

const t = localTransport();
let src: string;
let dest: string;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), "ksorch-sync-"));
  src = join(dir, "tree");
  dest = join(dir, "srv", "pub", "rh9");
  await mkdir(join(src, "Packages", "a b"), { recursive: true });
  await mkdir(join(src, "images", "pxeboot"), { recursive: true });
  await writeFile(join(src, "Packages", "a b", "one.rpm"), "1".repeat(5000));
  await writeFile(join(src, "Packages", "two.rpm"), "22");
  await writeFile(join(src, "images", "pxeboot", "vmlinuz"), "kernel");
  await chmod(join(src, "images", "pxeboot", "vmlinuz"), 0o755);
  await symlink("Packages/two.rpm", join(src, "latest"));
});

const plan = (extra: Record<string, unknown> = {}): Promise<Plan> =>
  syncModule.plan(syncModule.args.parse({ src, dest, ...extra }), localHost(t));
const titles = (p: Plan): string[] =>
  p.kind === "change" ? p.steps.map((s) => s.title) : [p.reason];

describe("sync", () => {
  it("sends the whole tree once, keeping modes and links, then has nothing to do", async () => {
    const first = await plan();
    expect(titles(first)).toEqual([expect.stringMatching(/^send 8 entries \(0\.0 MB\) to /)]);
    expect((await applyPlan(t, first)).map((r) => [r.exitCode, r.stderr])).toEqual([[0, ""]]);
    expect(await readFile(join(dest, "Packages", "a b", "one.rpm"), "utf8")).toHaveLength(5000);
    expect((await stat(join(dest, "images", "pxeboot", "vmlinuz"))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(dest, "latest"), "utf8")).toBe("22");
    expect(titles(await plan())).toEqual([`${dest} matches ${src} (8 entries)`]);
  });

  it("sends only what changed (size, mtime or mode) and deletes extras only when asked", async () => {
    await applyPlan(t, await plan());
    await writeFile(join(src, "Packages", "two.rpm"), "333");
    await chmod(join(src, "images", "pxeboot", "vmlinuz"), 0o644);
    await writeFile(join(dest, "extra.txt"), "x");
    await writeFile(join(dest, "ksodd.cfg"), "kickstart");
    expect(titles(await plan())).toEqual([expect.stringMatching(/^send 2 entries/)]);
    const withDelete = await plan({ delete: true, exclude: ["ks*.cfg"] });
    expect(titles(withDelete)).toEqual([
      expect.stringMatching(/^remove 1 entries/),
      expect.stringMatching(/^send 2 entries/),
    ]);
    await applyPlan(t, withDelete);
    await expect(stat(join(dest, "extra.txt"))).rejects.toThrow();
    expect(await readFile(join(dest, "ksodd.cfg"), "utf8")).toBe("kickstart");
    expect(await readFile(join(dest, "Packages", "two.rpm"), "utf8")).toBe("333");
    expect(titles(await plan({ delete: true, exclude: ["ks*.cfg"] }))).toEqual([
      expect.stringMatching(/matches/),
    ]);
  });

  it("finds a same-size, same-mtime change only with checksum: true", async () => {
    await applyPlan(t, await plan());
    const f = join(dest, "Packages", "two.rpm");
    const { mtime } = await stat(f);
    await writeFile(f, "XX");
    await utimes(f, mtime, mtime);
    expect((await plan()).kind).toBe("noop");
    const exact = await plan({ checksum: true });
    expect(titles(exact)).toEqual([expect.stringMatching(/^send 1 entries/)]);
  });

  it("replaces a directory that should be a file", async () => {
    await applyPlan(t, await plan());
    await rm(join(dest, "Packages", "two.rpm"));
    await mkdir(join(dest, "Packages", "two.rpm"));
    const p = await plan();
    expect(titles(p)).toEqual([
      expect.stringMatching(/^remove 1 entries/),
      expect.stringMatching(/^send 1 entries/),
    ]);
    await applyPlan(t, p);
    expect((await plan()).kind).toBe("noop");
  });
});

/** The tar stream a send step would carry, whole. */
async function streamOf(p: Plan): Promise<{ command: string; tar: Buffer }> {
  const step =
    p.kind === "change" ? p.steps.find((s) => s.kind === "command" && s.stdin) : undefined;
  if (step?.kind !== "command" || !step.stdin) throw new Error("no send step");
  const chunks: Buffer[] = [];
  for await (const c of step.stdin() as Readable) chunks.push(c as Buffer);
  return { command: step.command, tar: Buffer.concat(chunks) };
}

const staging = async (): Promise<string[]> =>
  (await readdir(dest)).filter((n) => n.startsWith(".ksorch-sync."));

describe("sync, interrupted", () => {
  beforeEach(async () => {
    await applyPlan(t, await plan());
    await writeFile(join(src, "Packages", "two.rpm"), "new ".repeat(100_000));
  });

  it("leaves the previous tree whole when the stream breaks off (a lost link, a full disk)", async () => {
    const { command, tar } = await streamOf(await plan());
    const r = await t.run(command, { stdin: tar.subarray(0, tar.length / 2) });
    expect(r.exitCode).not.toBe(0);
    expect(await readFile(join(dest, "Packages", "two.rpm"), "utf8")).toBe("22");
    expect(await staging()).toEqual([]);
  });

  it("leaves the previous tree whole on SIGTERM: its trap removes the staging directory", async () => {
    const { command, tar } = await streamOf(await plan());
    const p = spawn("/bin/sh", ["-c", command], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    p.stdin.write(tar.subarray(0, tar.length / 2));
    await new Promise((r) => setTimeout(r, 300));
    expect(await staging()).toHaveLength(1);
    process.kill(-(p.pid as number), "SIGTERM");
    await new Promise((r) => p.once("close", r));
    expect(await readFile(join(dest, "Packages", "two.rpm"), "utf8")).toBe("22");
    expect(await staging()).toEqual([]);
  });

  it("ignores what a SIGKILLed copy left, removes it, and converges", async () => {
    await mkdir(join(dest, ".ksorch-sync.dead", "Packages"), { recursive: true });
    await writeFile(join(dest, ".ksorch-sync.dead", "Packages", "two.rpm"), "new");
    const p = await plan();
    expect(titles(p)).toEqual([expect.stringMatching(/^send 1 entries/)]);
    await applyPlan(t, p);
    expect(await readFile(join(dest, "Packages", "two.rpm"), "utf8")).toHaveLength(400_000);
    expect(await staging()).toEqual([]);
    expect((await plan()).kind).toBe("noop");
    await mkdir(join(dest, ".ksorch-sync.dead2"));
    expect(titles(await plan())).toEqual([`remove what an interrupted copy left in ${dest}`]);
  });
});

describe("manifests", () => {
  it("parses find's records, names with tabs included", () => {
    const m = parseRemoteManifest(
      "f\t3\t1700000000.5\t644\t\ta\tb\0d\t4096\t1\t755\t\tdir\0l\t5\t1\t777\tx\tln\0",
    );
    expect([...m.values()]).toEqual([
      { path: "a\tb", type: "f", size: 3, mtime: 1700000000, mode: 0o644 },
      { path: "dir", type: "d", size: 4096, mtime: 1, mode: 0o755 },
      { path: "ln", type: "l", size: 5, mtime: 1, mode: 0o777, target: "x" },
    ]);
  });

  it("matches globs per segment", () => {
    expect(globToRegExp("ks*.cfg").test("ksodd.cfg")).toBe(true);
    expect(globToRegExp("ks*.cfg").test("sub/ksodd.cfg")).toBe(false);
    expect(globToRegExp("**/*.rpm").test("Packages/a/b.rpm")).toBe(true);
  });

  it("removes a whole extra directory once, not each file in it", () => {
    const e = (path: string, type: Entry["type"] = "f"): Entry => ({
      path,
      type,
      size: 1,
      mtime: 1,
      mode: 0o644,
    });
    const remote = new Map([e("old", "d"), e("old/a"), e("old/b")].map((x) => [x.path, x]));
    expect(diffTrees(new Map(), remote, { delete: true, checksum: false, exclude: [] })).toEqual({
      send: [],
      remove: ["old"],
    });
  });
});
