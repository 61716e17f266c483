// copy, config and file against the real shell in a temporary directory: what they plan is run
// as the engine would run it, then planned again, which must find nothing to do.
import {
  mkdtemp,
  readFile,
  readdir,
  stat,
  symlink,
  writeFile,
  mkdir,
  utimes,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { configModule } from "../../src/modules/config/index.js";
import { copyModule } from "../../src/modules/copy/index.js";
import { fileModule } from "../../src/modules/file/index.js";
import { parseStat, statCommand, statRemote } from "../../src/modules/files/remote.js";
import type { RenderedFile } from "../../src/render/types.js";
import { applyPlan, localHost, localTransport } from "./helpers.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ksorch-files-"));
});

const t = localTransport();
const me = (): string => (process.getuid?.() === 0 ? "root" : (process.env.USER ?? "root"));

describe("copy", () => {
  it("writes atomically with mode, then finds the file up to date", async () => {
    const dest = join(dir, "sub dir", "it's.conf");
    const host = localHost(t);
    const args = copyModule.args.parse({ dest, content: "a=1\n", mode: "0640" });
    const plan = await copyModule.plan(args, host);
    expect(plan.kind).toBe("change");
    const runs = await applyPlan(t, plan);
    expect(runs.map((r) => r.exitCode)).toEqual([0]);
    expect(await readFile(dest, "utf8")).toBe("a=1\n");
    expect((await stat(dest)).mode & 0o777).toBe(0o640);
    // No temporary file is left next to it.
    expect(await readdir(join(dir, "sub dir"))).toEqual(["it's.conf"]);
    expect(await copyModule.plan(args, host)).toEqual({
      kind: "noop",
      reason: `${dest} is up to date`,
    });
  });

  it("fixes only the mode when the content is right", async () => {
    const dest = join(dir, "f");
    await writeFile(dest, "x", { mode: 0o600 });
    const plan = await copyModule.plan(
      copyModule.args.parse({ dest, content: "x", mode: "0644" }),
      localHost(t),
    );
    expect(plan.kind === "change" && plan.steps.map((s) => s.title)).toEqual([
      `${dest}: mode 0600 -> 0644`,
    ]);
  });

  it("copies a file on the host keeping its mtime, and compares by size and mtime", async () => {
    const src = join(dir, "pxelinux.0");
    const dest = join(dir, "tftp", "pxelinux.0");
    await writeFile(src, "boot");
    await utimes(src, 1_000_000, 1_000_000);
    const args = copyModule.args.parse({ dest, src, remote_src: true });
    await applyPlan(t, await copyModule.plan(args, localHost(t)));
    expect(await readFile(dest, "utf8")).toBe("boot");
    expect(Math.floor((await stat(dest)).mtimeMs / 1000)).toBe(1_000_000);
    expect((await copyModule.plan(args, localHost(t))).kind).toBe("noop");
    await writeFile(src, "boot2");
    expect((await copyModule.plan(args, localHost(t))).kind).toBe("change");
  });

  it("refuses content and src together, and numeric modes, before any host is touched", () => {
    expect(copyModule.args.safeParse({ dest: "/x", content: "a", src: "b" }).success).toBe(false);
    expect(copyModule.args.safeParse({ dest: "/x", content: "a", mode: 644 }).success).toBe(false);
    expect(copyModule.args.safeParse({ dest: "relative", content: "a" }).success).toBe(false);
  });
});

describe("config", () => {
  const file = (path: string, content: string, secret = false): RenderedFile => ({
    path,
    content,
    mode: secret ? 0o600 : 0o644,
    owner: me(),
    group: process.getgid?.() === 0 ? "root" : me(),
    secret,
    tag: "ha",
  });

  it("installs every file of the tag, shows a diff of public files and hides secrets", async () => {
    const cf = join(dir, "ha.cf");
    const keys = join(dir, "authkeys");
    await writeFile(cf, "keepalive 1\n");
    await writeFile(keys, "auth 1\n1 sha1 OLDSECRET\n", { mode: 0o600 });
    const host = localHost(t, {
      files: [file(cf, "keepalive 200ms\n"), file(keys, "auth 1\n1 sha1 NEWSECRET\n", true)],
    });
    const plan = await configModule.plan({ tag: "ha" }, host);
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.files?.find((f) => f.path === cf)).toMatchObject({
      before: "keepalive 1\n",
      after: "keepalive 200ms\n",
    });
    const secret = plan.files?.find((f) => f.path === keys);
    expect(secret?.secret).toBe(true);
    // The old secret was never read from the host.
    expect(secret?.before).toBe("");
    expect(JSON.stringify(plan.steps.map((s) => s.title))).not.toContain("SECRET");
    await applyPlan(t, plan);
    expect(await readFile(keys, "utf8")).toContain("NEWSECRET");
    expect((await stat(keys)).mode & 0o777).toBe(0o600);
    expect((await configModule.plan({ tag: "ha" }, host)).kind).toBe("noop");
  });

  it("says so when the server has no files of that tag", async () => {
    expect(await configModule.plan({ tag: "dhcp" }, localHost(t))).toEqual({
      kind: "noop",
      reason: "no dhcp files for local",
    });
  });
});

describe("file", () => {
  it.each([
    [
      "directory",
      { state: "directory", mode: "0750" },
      async (p: string) => ((await stat(p)).isDirectory() ? (await stat(p)).mode & 0o777 : -1),
      0o750,
    ],
    ["touch", { state: "touch" }, async (p: string) => (await stat(p)).size, 0],
  ] as const)("%s: creates, then finds nothing to do", async (_n, extra, probe, want) => {
    const path = join(dir, "x");
    const args = fileModule.args.parse({ path, ...extra });
    await applyPlan(t, await fileModule.plan(args, localHost(t)));
    expect(await probe(path)).toBe(want);
    expect((await fileModule.plan(args, localHost(t))).kind).toBe("noop");
  });

  it("points a link at its target, and replaces a wrong one", async () => {
    const path = join(dir, "l");
    await symlink("/wrong", path);
    const args = fileModule.args.parse({ path, state: "link", src: "/etc/hosts" });
    await applyPlan(t, await fileModule.plan(args, localHost(t)));
    expect((await fileModule.plan(args, localHost(t))).kind).toBe("noop");
  });

  it("removes a tree with state absent", async () => {
    const path = join(dir, "d");
    await mkdir(join(path, "e"), { recursive: true });
    const args = fileModule.args.parse({ path, state: "absent" });
    await applyPlan(t, await fileModule.plan(args, localHost(t)));
    expect(await fileModule.plan(args, localHost(t))).toEqual({
      kind: "noop",
      reason: `${path} is absent`,
    });
  });
});

describe("stat parsing", () => {
  it("reads kind, mode, size, link target and sha256 of awkward names in one command", async () => {
    const odd = join(dir, "tab\there");
    await writeFile(odd, "abc");
    await symlink("/etc/hosts", join(dir, "ln"));
    const r = await t.run(statCommand([odd, join(dir, "ln"), join(dir, "missing")]));
    const m = parseStat(r.stdout);
    expect(m.get(odd)).toMatchObject({
      kind: "file",
      size: 3,
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
    expect(m.get(join(dir, "ln"))).toMatchObject({ kind: "link", target: "/etc/hosts" });
    expect(m.has(join(dir, "missing"))).toBe(false);
  });
});

describe("stat probes asked at once", () => {
  it("go out as one command, and each caller gets only its paths (sha256 only where asked)", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    await writeFile(a, "abc");
    await writeFile(b, "abc");
    const commands: string[] = [];
    const counting = {
      ...t,
      run: (command: string) => {
        commands.push(command);
        return t.run(command);
      },
    };
    const [first, second, none] = await Promise.all([
      statRemote(counting, [a], []),
      statRemote(counting, [a, b, join(dir, "missing")]),
      statRemote(counting, []),
    ]);
    expect(commands).toHaveLength(1);
    expect([...first.keys()]).toEqual([a]);
    expect(first.get(a)?.sha256).toBeUndefined();
    expect([...second.keys()]).toEqual([a, b]);
    expect(second.get(b)).toMatchObject({ kind: "file", size: 3, sha256: expect.any(String) });
    expect(second.get(a)?.sha256).toBe(second.get(b)?.sha256);
    expect(none.size).toBe(0);
    // Asked later: a command of its own.
    await statRemote(counting, [b]);
    expect(commands).toHaveLength(2);
  });
});
