// Renders every task's arguments for every host of its play and validates them with the
// module's schema, and finds the names its `when`/`until` read that no scope has, all before any
// connection is made: a bad playbook touches nothing.
import type { Diagnostic } from "../errors.js";
import type { Module } from "../modules/types.js";
import { diagnosticAt, type PlaybookDef, type TaskDef } from "./playbook.js";
import { evaluate, renderValue, type Scope } from "./template.js";

/** A task made concrete for one host. */
export interface CompiledTask {
  /** The task's name with its templates rendered. */
  name: string;
  /** Validated module arguments. */
  args: unknown;
  /** The host's scope, plus `item` for a loop. */
  scope: Scope;
}

/** Each task, per host. */
export type CompiledArgs = Map<TaskDef, Map<string, CompiledTask>>;

/** Names a `when` or `until` may read that only the run gives: the facts, the task's result. */
const RUN_NAMES = { when: ["facts"], until: ["facts", "result"] } as const;

/** `scope` as it is before the run: with the names only the run gives, still undefined. */
const beforeRun = (scope: Scope, key: keyof typeof RUN_NAMES): Scope => ({
  ...scope,
  ...Object.fromEntries(RUN_NAMES[key].map((n) => [n, undefined])),
});

/** The message of the ReferenceError `expression` throws in `scope`, if it throws one. */
function referenceError(expression: string, scope: Scope): string | undefined {
  try {
    evaluate(expression, scope);
    return undefined;
  } catch (err) {
    return err instanceof ReferenceError ? err.message : undefined;
  }
}

/**
 * The task's `when` and `until` that read a name no scope will have (`serverr.os`, an unquoted
 * `debian`), each said once per task (`seen`): evaluated with the names only the run gives still
 * undefined, they throw a ReferenceError. Any other error may come from those values, and is the
 * run's to report.
 */
function unknownNames(
  pb: PlaybookDef,
  task: TaskDef,
  scope: Scope,
  seen: Set<string>,
): Diagnostic[] {
  return (["when", "until"] as const).flatMap((key) => {
    const expression = task[key];
    const full = beforeRun(scope, key);
    const unknown = expression === undefined ? undefined : referenceError(expression, full);
    if (unknown === undefined || seen.has(`${key}:${unknown}`)) return [];
    seen.add(`${key}:${unknown}`);
    const hint = `names here: ${Object.keys(full).join(", ")}`;
    return [diagnosticAt(pb, [...task.path.slice(0, -1), key], unknown, hint)];
  });
}

export function playHosts(pb: PlaybookDef, hosts: readonly string[]): string[] {
  return pb.hosts === "all" ? [...hosts] : hosts.filter((h) => (pb.hosts as string[]).includes(h));
}

export function compilePlaybooks(
  playbooks: PlaybookDef[],
  hosts: readonly string[],
  scopeOf: (host: string) => Scope,
  modules: ReadonlyMap<string, Module>,
  /** Where templates/ and copy sources are (the project root). */
  localRoot: string,
): { args: CompiledArgs; diagnostics: Diagnostic[] } {
  const args: CompiledArgs = new Map();
  const diagnostics: Diagnostic[] = [];
  for (const pb of playbooks) {
    if (pb.hosts !== "all") {
      for (const h of pb.hosts.filter((h) => !hosts.includes(h))) {
        diagnostics.push(
          diagnosticAt(pb, ["hosts"], `no server named "${h}" in the inventory`, hosts.join(", ")),
        );
      }
    }
    for (const task of [...pb.tasks, ...pb.handlers]) {
      const mod = modules.get(task.module);
      if (!mod) continue;
      const perHost = new Map<string, CompiledTask>();
      const seen = new Set<string>();
      for (const host of playHosts(pb, hosts)) {
        let rendered: unknown;
        const hostScope = scopeOf(host);
        let scope = hostScope;
        let name = task.name;
        try {
          if (task.loop) scope = { ...scope, item: renderValue(task.loop.item, scope) };
          name = String(renderValue(task.name, scope));
          // Loop items are told apart by their item, unless the name already shows it.
          if (task.loop && !task.name.includes("item")) name += ` (${JSON.stringify(scope.item)})`;
          rendered = renderValue(task.args, scope);
        } catch (err) {
          diagnostics.push(
            diagnosticAt(pb, task.path, `template error for ${host}: ${(err as Error).message}`),
          );
          continue;
        }
        diagnostics.push(...unknownNames(pb, task, scope, seen));
        const parsed = mod.args.safeParse(rendered);
        if (parsed.success) {
          perHost.set(host, { name, args: parsed.data, scope });
          // A template reads the host's variables (and the facts, in the run), not a loop's `item`.
          const local = mod.localProblem?.(parsed.data, localRoot, beforeRun(hostScope, "when"));
          const key = local && `${local.arg}:${local.message}`;
          if (local && key && !seen.has(key)) {
            seen.add(key);
            const at = [...task.path, local.arg];
            diagnostics.push(diagnosticAt(pb, at, local.message, local.hint));
          }
          continue;
        }
        for (const issue of parsed.error.issues) {
          const path = [
            ...task.path,
            ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
          ];
          // The same mistake usually shows on every host; say it once.
          const key = `${path.join(".")}:${issue.message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          diagnostics.push(
            diagnosticAt(pb, path, issue.message, `see the ${task.module} module's arguments`),
          );
        }
      }
      args.set(task, perHost);
    }
  }
  return { args, diagnostics };
}
