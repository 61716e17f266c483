// The module contract (pyinfra's operations, terraform's plan): a module declares its arguments
// as a zod schema, reads current state with harmless commands, and returns either the steps
// still needed or "nothing to do" with a reason. Only the engine runs steps, so check mode is
// "plan, show, stop" and a task is `changed` exactly when steps that change state ran.
import type { Readable } from "node:stream";
import type { z } from "zod";
import type { FileTag, RenderedFile } from "../render/types.js";
import type { Transport } from "../transport/types.js";
import type { Facts } from "./facts/facts.js";

/** A remote command the engine runs; a non-zero exit fails the task. */
export interface CommandStep {
  kind: "command";
  title: string;
  command: string;
  /** A probe that changes nothing: the task stays `ok` when only such steps ran. */
  readOnly?: boolean;
  /** Made only when the step runs, so check mode never opens a local file or a tar stream. */
  stdin?: () => string | Buffer | Readable;
  /** Bytes `stdin` will carry, for the progress counter. */
  bytes?: number;
  timeoutMs?: number;
}

/** Polls until `probe` answers null (done) or the timeout passes; reads only, changes nothing. */
export interface WaitStep {
  kind: "wait";
  title: string;
  timeoutMs: number;
  intervalMs: number;
  /** null when the condition holds, else what is still awaited (shown on timeout). */
  probe: () => Promise<string | null>;
}

export type Step = CommandStep | WaitStep;

/** A file a plan would write or remove; `before`/`after` null means absent. */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
  /** Content must not be shown: diffs say only that it changed. */
  secret: boolean;
}

export type Plan =
  | { kind: "noop"; reason: string }
  | { kind: "change"; summary: string; steps: Step[]; files?: FileChange[] };

/** Another host of the same play, for checks that look at the whole cluster. */
export interface PeerHost {
  name: string;
  transport: Transport;
}

/** What a module may look at while planning. */
export interface HostContext {
  /** Inventory name of the server. */
  name: string;
  transport: Transport;
  facts: Facts;
  /** Rendered configuration of this server with the given tag (see src/render). */
  files(tag: FileTag): RenderedFile[];
  /** Every host of the play that is still reachable, this one included. */
  peers(): PeerHost[];
  /** Directory that relative local paths (templates/, install trees) are resolved against. */
  localRoot: string;
  /** The host's template variables (inventory, topology, server, layout, facts). */
  vars: Record<string, unknown>;
  /**
   * Work done once per run for every host, such as reading a local tree: the promise the first
   * caller's `make` gave for `key` (made again after a failure).
   */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
}

export interface Module<S extends z.ZodType = z.ZodType> {
  name: string;
  /** One line for `ksorch apply --help` and the docs. */
  description: string;
  args: S;
  plan(args: z.infer<S>, host: HostContext): Promise<Plan>;
  /**
   * What is wrong with the local files the arguments name (a template or a copy source under
   * `localRoot`), checked with the arguments before any connection. `vars` are the host's
   * template variables as the run will have them, but `facts` (undefined until it gathers them).
   */
  localProblem?(
    args: z.infer<S>,
    localRoot: string,
    vars: Record<string, unknown>,
  ): LocalProblem | undefined;
}

export interface LocalProblem {
  /** The argument naming the file, e.g. `src`. */
  arg: string;
  message: string;
  hint: string;
}

export function noop(reason: string): Plan {
  return { kind: "noop", reason };
}

export function change(summary: string, steps: Step[], files?: FileChange[]): Plan {
  return files ? { kind: "change", summary, steps, files } : { kind: "change", summary, steps };
}

export function command(
  title: string,
  cmd: string,
  extra: Partial<Omit<CommandStep, "kind" | "title" | "command">> = {},
): CommandStep {
  return { kind: "command", title, command: cmd, ...extra };
}

/** Declares a module with its schema type flowing into `plan`. */
export function defineModule<S extends z.ZodType>(m: Module<S>): Module<S> {
  return m;
}
