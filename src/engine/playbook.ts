// Loading playbooks: playbooks/*.yaml in file-name order (10-packages.yaml, 20-network.yaml ...).
// Only the envelope is checked here (names, keys, one module per task); module arguments depend
// on each host's variables and are validated in ./compile.ts, still before any host is touched.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Document, LineCounter } from "yaml";
import type { Diagnostic } from "../errors.js";
import { durationMs } from "../inventory/duration.js";
import { positionOf, type Anchor, type FieldPath } from "../inventory/positions.js";
import { parseYaml } from "../inventory/yaml.js";
import { unreadableFile } from "../local-file.js";
import { expressionError } from "./template.js";

export interface TaskDef {
  name: string;
  module: string;
  /** Arguments as written (templates not rendered yet). */
  args: unknown;
  /** JavaScript expression; the task is skipped when it is false. */
  when?: string;
  notify: string[];
  tags: string[];
  /** Run as root (sudo for non-root users). Default true: configuring a server needs root. */
  become: boolean;
  /** Extra attempts after a failure (or while `until` is false), `delayMs` apart. */
  retries: number;
  delayMs: number;
  /** JavaScript expression over `result`; the task is retried until it is true. */
  until?: string;
  /** Run on the first host of the play only (cluster-level checks). */
  runOnce: boolean;
  /** Bound of each remote command of the task (probes and steps); else `apply --timeout`. */
  timeoutMs?: number;
  /** Where the task is written, for diagnostics: its path inside the playbook document. */
  path: FieldPath;
  /** Set for each task a `loop:` expanded into: the item as written (templates not rendered). */
  loop?: { item: unknown };
}

export interface PlaybookDef {
  file: string;
  name: string;
  /** "all" or inventory server names. */
  hosts: "all" | string[];
  tasks: TaskDef[];
  /** Run once at the end of the playbook on each host where a changed task notified them. */
  handlers: TaskDef[];
  /** One failed host stops every host (default: the others go on). */
  anyErrorsFatal: boolean;
  /** At most this many hosts run the playbook at once (1: a rolling change); else --forks. */
  serial?: number;
  /** For positions of later (argument) diagnostics. */
  doc: Document;
  lines: LineCounter;
}

const TASK_KEYS = new Set([
  "name",
  "when",
  "notify",
  "tags",
  "become",
  "retries",
  "delay",
  "until",
  "run_once",
  "loop",
  "timeout",
]);
const EXPRESSION_HINT = "an expression over the playbook variables, e.g. server.os === 'debian'";
const PLAY_KEYS = new Set(["name", "hosts", "tasks", "handlers", "any_errors_fatal", "serial"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Collects diagnostics for one file, positioned through the YAML document. */
class FileProblems {
  readonly list: Diagnostic[] = [];
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}
  add(path: FieldPath, message: string, hint?: string, anchor: Anchor = "value"): void {
    this.list.push(diagnosticIn(this, path, message, hint, anchor));
  }
}

/** A diagnostic at `path` of a parsed playbook file. */
function diagnosticIn(
  at: { file: string; doc: Document; lines: LineCounter },
  path: FieldPath,
  message: string,
  hint?: string,
  anchor: Anchor = "value",
): Diagnostic {
  const { line, column } = positionOf(at.doc, at.lines, path, anchor);
  return { file: at.file, line, column, field: path.join("."), message, ...(hint ? { hint } : {}) };
}

/** A duration's milliseconds, or undefined when `v` is none (or beyond any sane bound). */
function durationOrUndefined(v: unknown): number | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  try {
    const ms = durationMs(v);
    return Number.isSafeInteger(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

function stringList(p: FileProblems, path: FieldPath, v: unknown): string[] {
  if (v === undefined) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  p.add(path, "must be a string or a list of strings");
  return [];
}

function parseTask(
  p: FileProblems,
  path: FieldPath,
  raw: unknown,
  modules: ReadonlySet<string>,
): TaskDef[] {
  if (!isObj(raw)) {
    p.add(path, "a task must be a mapping", "name: ..., <module>: {args}");
    return [];
  }
  const moduleKeys = Object.keys(raw).filter((k) => !TASK_KEYS.has(k));
  const known = [...modules].sort().join(", ");
  for (const k of moduleKeys.filter((k) => !modules.has(k))) {
    p.add(
      [...path, k],
      `unknown task key or module "${k}"`,
      `modules: ${known}; task keys: ${[...TASK_KEYS].join(", ")}`,
      "key",
    );
  }
  const mods = moduleKeys.filter((k) => modules.has(k));
  if (mods.length !== 1) {
    if (moduleKeys.length === mods.length)
      p.add(path, `a task names exactly one module, found ${mods.length}`, known);
    return [];
  }
  const module = mods[0] as string;
  const { name, when, until, become, retries, delay, run_once: runOnce } = raw;
  if (typeof name !== "string" || name === "")
    p.add([...path, "name"], "every task needs a name", "name: what it does");
  for (const [k, v] of [
    ["when", when],
    ["until", until],
  ] as const) {
    if (v !== undefined && typeof v !== "string")
      p.add([...path, k], "must be a JavaScript expression in a string");
    const error = typeof v === "string" ? expressionError(v) : undefined;
    if (error) p.add([...path, k], `not a JavaScript expression: ${error}`, EXPRESSION_HINT);
  }
  if (become !== undefined && typeof become !== "boolean")
    p.add([...path, "become"], "must be true or false");
  if (runOnce !== undefined && typeof runOnce !== "boolean")
    p.add([...path, "run_once"], "must be true or false");
  if (retries !== undefined && !(Number.isInteger(retries) && (retries as number) >= 0)) {
    p.add([...path, "retries"], "must be a whole number >= 0");
  }
  let delayMs = 1000;
  if (delay !== undefined) {
    try {
      delayMs = durationMs(delay as string | number);
    } catch {
      p.add([...path, "delay"], "not a duration", "e.g. 500ms or 2s");
    }
  }
  let timeoutMs: number | undefined;
  if (raw.timeout !== undefined) {
    const ms = durationOrUndefined(raw.timeout);
    if (ms === undefined || ms < 1000)
      p.add([...path, "timeout"], "not a duration of 1 s or more", "e.g. 30s or 1800s");
    else timeoutMs = ms;
  }
  if (raw.loop !== undefined && !Array.isArray(raw.loop))
    p.add([...path, "loop"], "must be a list");
  const task: TaskDef = {
    name: typeof name === "string" ? name : "",
    module,
    args: raw[module] ?? {},
    ...(typeof when === "string" ? { when } : {}),
    ...(typeof until === "string" ? { until } : {}),
    notify: stringList(p, [...path, "notify"], raw.notify),
    tags: stringList(p, [...path, "tags"], raw.tags),
    become: become !== false,
    retries: typeof retries === "number" ? retries : 0,
    delayMs,
    runOnce: runOnce === true,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    path: [...path, module],
  };
  // A loop is several tasks that share everything but `item` (rendered per host, like args).
  if (!Array.isArray(raw.loop)) return [task];
  return raw.loop.map((item: unknown) => ({ ...task, loop: { item } }));
}

export function parsePlaybook(
  file: string,
  text: string,
  modules: ReadonlySet<string>,
): { playbook?: PlaybookDef; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(text, file);
  if ("diagnostics" in parsed) return { diagnostics: parsed.diagnostics };
  const { doc, lines, value: raw } = parsed;
  const p = new FileProblems(file, doc, lines);
  if (!isObj(raw)) {
    p.add([], "a playbook is a mapping", "name, hosts, tasks, handlers");
    return { diagnostics: p.list };
  }
  for (const k of Object.keys(raw).filter((k) => !PLAY_KEYS.has(k))) {
    p.add([k], `unknown playbook key "${k}"`, [...PLAY_KEYS].join(", "), "key");
  }
  if (typeof raw.name !== "string") p.add(["name"], "a playbook needs a name");
  let hosts: "all" | string[] = "all";
  if (raw.hosts !== undefined && raw.hosts !== "all") hosts = stringList(p, ["hosts"], raw.hosts);
  const tasksOf = (key: "tasks" | "handlers"): TaskDef[] => {
    const list = raw[key] ?? [];
    if (!Array.isArray(list)) {
      p.add([key], "must be a list of tasks");
      return [];
    }
    return list.flatMap((t, i) => parseTask(p, [key, i], t, modules));
  };
  const { serial } = raw;
  if (serial !== undefined && !(Number.isInteger(serial) && (serial as number) >= 1)) {
    p.add(["serial"], "must be a whole number >= 1", "serial: 1 changes one host at a time");
  }
  const tasks = tasksOf("tasks");
  const handlers = tasksOf("handlers");
  const handlerNames = new Set(handlers.map((h) => h.name));
  tasks.forEach((t) => {
    for (const n of t.notify.filter((n) => !handlerNames.has(n))) {
      p.add(
        [...t.path.slice(0, -1), "notify"],
        `no handler named "${n}" in this playbook`,
        [...handlerNames].join(", ") || "no handlers defined",
      );
    }
  });
  if (p.list.length > 0) return { diagnostics: p.list };
  const playbook: PlaybookDef = {
    file,
    name: raw.name as string,
    hosts,
    tasks,
    handlers,
    anyErrorsFatal: raw.any_errors_fatal === true,
    ...(typeof serial === "number" ? { serial } : {}),
    doc,
    lines,
  };
  return { playbook, diagnostics: [] };
}

const PLAYBOOKS_HINT = "a folder of playbooks such as the project's playbooks/ (--playbooks DIR)";

/**
 * Every *.yaml / *.yml in `dir`, in file-name order. Read synchronously: a dozen small files at
 * start-up, where each await of the thread pool would cost a trip through a busy event loop.
 */
export function loadPlaybooks(
  dir: string,
  modules: ReadonlySet<string>,
): { playbooks: PlaybookDef[]; diagnostics: Diagnostic[] } {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    const message = `cannot read the playbook folder (${code})`;
    return { playbooks: [], diagnostics: [{ file: dir, message, hint: PLAYBOOKS_HINT }] };
  }
  if (names.length === 0) {
    const message = "no playbooks (*.yaml, *.yml) in this folder";
    return { playbooks: [], diagnostics: [{ file: dir, message, hint: PLAYBOOKS_HINT }] };
  }
  const playbooks: PlaybookDef[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const n of names) {
    const file = join(dir, n);
    // A folder named *.yaml, a FIFO, or the dangling link an editor leaves (Emacs' .#name.yaml).
    const unreadable = unreadableFile(file);
    if (unreadable) {
      diagnostics.push({ file, message: unreadable, hint: "a playbook file, or nothing so named" });
      continue;
    }
    const r = parsePlaybook(file, readFileSync(file, "utf8"), modules);
    if (r.playbook) playbooks.push(r.playbook);
    diagnostics.push(...r.diagnostics);
  }
  return { playbooks, diagnostics };
}

/** Position helper for argument diagnostics found later. */
export function diagnosticAt(
  pb: PlaybookDef,
  path: FieldPath,
  message: string,
  hint?: string,
): Diagnostic {
  return diagnosticIn(pb, path, message, hint);
}
