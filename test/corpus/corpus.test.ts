// The corpus behind issue 10: inventories and playbooks a hostile user or an unlucky operator
// writes, each run in-process through the functions the CLI runs (validate and plan for an
// inventory; for a playbook, what apply checks before it connects, against the lab inventory)
// and judged on what the CLI prints for it (src/cli/report.ts). A case is a file whose first
// comment lines say the answer:
//   # expect: exit 2, line 7, "vip"          a diagnostic at line 7 of this file, saying "vip"
//   # expect: exit 2, bad.csv line 3, "MAC"  the same, at line 3 of another file (a CSV)
//   # expect: exit 2, no line, "folder"      a diagnostic that names no line (a missing folder)
//   # expect: exit 0                          valid, and must stay accepted
//   # plan: exit 0                            inventories: plan reads no local file and accepts it
//   # playbooks: DIR                          playbooks: run the folder DIR instead of this file
//   # beside: NAME -> TARGET | beside: NAME/  playbooks: a symbolic link or a folder next to it
// Whatever the case, nothing printed may be a stack trace or an "unexpected internal error", a
// line past a sane length, or hold a control character.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validate } from "../../src/cli/commands/validate.js";
import { report } from "../../src/cli/report.js";
import { compileApply } from "../../src/engine/apply.js";
import { InputError, MAX_SHOWN, formatDiagnostic } from "../../src/errors.js";
import { loadInventory } from "../../src/inventory/load.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE } from "../inventory/fixture.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const INVENTORIES = join(HERE, "inventory");
const PLAYBOOKS = join(HERE, "playbooks");

interface Expectation {
  exit: number;
  /** Where the diagnostic points, for an exit other than 0: the file's base name (unless it
   *  names no line and no file is given) and its line, undefined for none. */
  at?: { file?: string; line?: number };
  fragment?: string;
  /** Exit of plan, when it is not that of validate. */
  plan?: number;
  playbooks?: string;
  beside: string[];
}

const EXPECT = /^# expect: exit (?:0|(\d+), (?:(\S+) )?(?:line (\d+)|no line)(?:, "(.*)")?)$/;

function expectation(file: string): Expectation {
  const header: string[] = [];
  for (const line of readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)) {
    if (!line.startsWith("#")) break;
    header.push(line);
  }
  const m = header.map((l) => EXPECT.exec(l)).find((x) => x !== null);
  if (!m) throw new Error(`${file}: no "# expect: exit N, line L" comment`);
  const [, exit, other, line, fragment] = m;
  const directive = (key: string) =>
    header.flatMap((l) => (l.startsWith(`# ${key}: `) ? [l.slice(key.length + 4)] : []));
  const [plan] = directive("plan");
  const [playbooks] = directive("playbooks");
  const named = other ?? (line !== undefined ? basename(file) : undefined);
  const at = {
    ...(named !== undefined ? { file: named } : {}),
    ...(line !== undefined ? { line: Number(line) } : {}),
  };
  return {
    exit: Number(exit ?? 0),
    ...(exit !== undefined ? { at } : {}),
    ...(fragment !== undefined ? { fragment } : {}),
    ...(plan !== undefined ? { plan: Number(plan.replace(/^exit /, "")) } : {}),
    ...(playbooks !== undefined ? { playbooks } : {}),
    beside: directive("beside"),
  };
}

interface Outcome {
  code: number;
  error?: unknown;
  /** What the CLI prints on stderr, line by line. */
  said: string[];
}

function outcome(run: () => unknown): Outcome {
  const said: string[] = [];
  try {
    run();
    return { code: 0, said };
  } catch (error) {
    return { code: report(error, (line) => said.push(line)), error, said };
  }
}

/** The longest line an error may print: a diagnostic is cut at 3 x MAX_SHOWN, plus its marks. */
const MAX_LINE = 3 * MAX_SHOWN + 100;
/** Control characters, and the Unicode ones that break or reorder a line (Trojan Source). */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Nothing printed is a stack trace, an internal error, a line too long or a control character. */
function expectSafe(said: string[]): void {
  expect(said.join("\n")).not.toMatch(/unexpected internal error|^\s+at .*:\d+:\d+\)?$/m);
  for (const line of said) {
    expect(line.length, line.slice(0, 200)).toBeLessThanOrEqual(MAX_LINE);
    expect(line).not.toMatch(UNSAFE);
  }
}

function judge(o: Outcome, exit: number, want: Expectation): void {
  expect(o.code, o.said.join("\n")).toBe(exit);
  expectSafe(o.said);
  if (exit === 0 || !want.at) return;
  expect(o.error).toBeInstanceOf(InputError);
  const { file, line } = want.at;
  const named = (o.error as InputError).diagnostics
    .filter((d) => d.line === line && (file === undefined || basename(d.file) === file))
    .map(formatDiagnostic)
    .filter((printed) => printed.includes(want.fragment ?? ""));
  const where = `${file ?? "a file"}, ${line === undefined ? "no line" : `line ${line}`}`;
  expect(named, `${where}, "${want.fragment}" in:\n${o.said.join("\n")}`).not.toEqual([]);
  // Printed as it is, among the first diagnostics.
  expect(o.said).toContain(`  ${named[0]}`);
}

const cases = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.endsWith(".yaml"))
    .sort();

describe("broken inventories: validate and plan", () => {
  it.each(cases(INVENTORIES))("%s", (name) => {
    const file = join(INVENTORIES, name);
    const want = expectation(file);
    judge(
      outcome(() => validate(file)),
      want.exit,
      want,
    );
    judge(
      outcome(() => planTopology(loadInventory(file))),
      want.plan ?? want.exit,
      want,
    );
  });
});

describe("broken playbooks: what apply checks before it connects", () => {
  let work = "";
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "ksorch-corpus-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const inv = loadInventory(LAB_FILE);
  const topo = planTopology(inv);

  /** The folder the case names, or one holding the case alone and what it says is beside it. */
  function folderOf(name: string, want: Expectation): string {
    if (want.playbooks !== undefined) return join(PLAYBOOKS, want.playbooks);
    const dir = join(work, name.replace(/\.yaml$/, ""));
    mkdirSync(dir);
    copyFileSync(join(PLAYBOOKS, name), join(dir, name));
    for (const entry of want.beside) {
      const [link = "", target] = entry.split(" -> ");
      if (target !== undefined) symlinkSync(target, join(dir, link));
      else mkdirSync(join(dir, entry));
    }
    return dir;
  }

  it.each(cases(PLAYBOOKS))("%s", (name) => {
    const want = expectation(join(PLAYBOOKS, name));
    const dir = folderOf(name, want);
    judge(
      outcome(() => compileApply(inv, topo, dir)),
      want.exit,
      want,
    );
  });
});

describe("the built CLI on a few of them", () => {
  // `npm run build` first, as scripts/setup.sh does.
  const ROOT = fileURLToPath(new URL("../../", import.meta.url));
  const CLI = join(ROOT, "dist/cli/main.js");

  it.each([
    "name-escape-codes.yaml",
    "yaml-alias-bomb.yaml",
    "client-mac-huge.yaml",
    "csv-from-device.yaml",
    "ha-key-file-missing.yaml",
  ])("validate %s: exit 2 at its line, nothing unsafe on stderr", (name) => {
    expect(existsSync(CLI), `${CLI} is missing: run "npm run build" first`).toBe(true);
    const file = join(INVENTORIES, name);
    const want = expectation(file);
    const r = spawnSync(process.execPath, [CLI, "validate", file], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    const named = lines.filter(
      (l) => l.startsWith(`  ${file}:${want.at?.line}:`) && l.includes(want.fragment ?? ""),
    );
    expect(named, r.stderr).toHaveLength(1);
    expect(lines.at(-1)).toBe("nothing was changed on any server");
    expectSafe(lines);
  });
});
