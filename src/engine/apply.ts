// `ksorch apply` as a function: inventory -> validation -> playbooks compiled for every server
// -> only then SSH. Anything wrong in the input is one InputError before any host is touched.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError, type Diagnostic } from "../errors.js";
import { haOps } from "../ha/engine.js";
import { serverLayout } from "../inventory/layout.js";
import { hostOsMismatch } from "../inventory/os-checks.js";
import { loadInventory } from "../inventory/load.js";
import { checkLocalFiles } from "../inventory/source.js";
import type { Inventory, Server } from "../inventory/types.js";
import { MODULES } from "../modules/index.js";
import { bootFiles, TFTP_PRIME } from "../render/boot.js";
import { redHatScope } from "../render/redhat.js";
import { renderServer } from "../render/render.js";
import { loadSecrets } from "../render/secrets.js";
import type { RenderedFile } from "../render/types.js";
import { planTopology } from "../topology/plan.js";
import type { Topology } from "../topology/types.js";
import { BatchTransport } from "../transport/batch.js";
import { LOCK_WAIT_MS, takeLock } from "../transport/lock.js";
import { SshTransport, sshTarget } from "../transport/ssh.js";
import { compilePlaybooks, type CompiledArgs } from "./compile.js";
import { DEFAULT_TASK_TIMEOUT_MS } from "./guard.js";
import { loadPlaybooks, type PlaybookDef } from "./playbook.js";
import type { Reporter } from "./reporter.js";
import type { ApplyReport } from "./results.js";
import { runPlaybooks, type EngineHost } from "./run.js";
import type { Scope } from "./template.js";

/** The project root: templates/ and playbooks/ live there, in a checkout and in the package. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface ApplyOptions {
  inventory: string;
  check: boolean;
  diff: boolean;
  limit?: string[];
  tags?: string[];
  forks: number;
  acceptNewHostKeys: boolean;
  playbooksDir?: string;
  reporter: Reporter;
  /** Bound of each remote command of a task without `timeout:` (default 10 min). */
  timeoutMs?: number;
  /** Aborted on SIGINT/SIGTERM (src/cli/signals.ts). */
  signal?: AbortSignal;
}

/**
 * Variables of one server for playbook values and templates. Documented in playbooks/README.md:
 * inventory, topology, server, serverPlan, layout, boot, tftpPrime, ha, redhat (and facts at
 * run time).
 */
export function serverScope(inv: Inventory, topo: Topology, server: Server): Scope {
  const layout = serverLayout(inv, server);
  return {
    inventory: inv,
    topology: topo,
    server,
    serverPlan: topo.servers.find((s) => s.name === server.name),
    layout,
    boot: bootFiles(inv.install),
    tftpPrime: TFTP_PRIME,
    ha: haOps(inv.ha.engine),
    redhat: redHatScope(inv, layout),
  };
}

function checkLimit(inv: Inventory, limit: string[] | undefined): Diagnostic[] {
  const names = inv.servers.map((s) => s.name);
  return (limit ?? [])
    .filter((h) => !names.includes(h))
    .map((h) => ({ file: "--limit", message: `no server named "${h}"`, hint: names.join(", ") }));
}

/**
 * The playbooks of `dir` (default: the project's) loaded and compiled for every server of `inv`,
 * with each server's scope: all before any connection, every problem in them one InputError.
 */
export function compileApply(
  inv: Inventory,
  topo: Topology,
  dir = join(PROJECT_ROOT, "playbooks"),
): { playbooks: PlaybookDef[]; args: CompiledArgs; scopes: Map<string, Scope> } {
  const { playbooks, diagnostics } = loadPlaybooks(dir, new Set(MODULES.keys()));
  const scopes = new Map(inv.servers.map((s) => [s.name, serverScope(inv, topo, s)]));
  const compiled = compilePlaybooks(
    playbooks,
    inv.servers.map((s) => s.name),
    (h) => scopes.get(h) ?? {},
    MODULES,
    PROJECT_ROOT,
  );
  const all = [...diagnostics, ...compiled.diagnostics];
  if (all.length > 0)
    throw new InputError(`${all.length} problem(s) in the playbooks in ${dir}`, all);
  return { playbooks, args: compiled.args, scopes };
}

export async function applyInventory(opts: ApplyOptions): Promise<ApplyReport> {
  const inv = loadInventory(opts.inventory);
  const problems = [...checkLocalFiles(inv), ...checkLimit(inv, opts.limit)];
  if (problems.length > 0) throw new InputError("cannot apply", problems);
  const topo = planTopology(inv);
  const secrets = loadSecrets(inv);

  const { playbooks, args, scopes } = compileApply(inv, topo, opts.playbooksDir);

  const selected = inv.servers.filter((s) => !opts.limit || opts.limit.includes(s.name));
  const hosts: EngineHost[] = selected.map((server) => {
    let files: RenderedFile[] | undefined;
    return {
      name: server.name,
      scope: scopes.get(server.name) ?? {},
      // Commands asked for at the same moment (the plans of a run) travel as one script.
      // The server's lock is held on this connection until it closes (src/transport/lock.ts).
      connect: async () => {
        const ssh = await SshTransport.connect(
          sshTarget(server, { acceptNewHostKeys: opts.acceptNewHostKeys }),
        );
        await takeLock(ssh, LOCK_WAIT_MS, (line) =>
          process.stderr.write(`ksorch: ${line}\n`),
        ).catch(async (err: unknown) => {
          await ssh.close();
          throw err;
        });
        return new BatchTransport(ssh);
      },
      files: (tag) => {
        files ??= renderServer(inv, topo, server.name, secrets);
        return files.filter((f) => f.tag === tag);
      },
      verify: (facts) => hostOsMismatch(inv, server, facts.os),
    };
  });
  return runPlaybooks(playbooks, args, hosts, MODULES, {
    check: opts.check,
    diff: opts.diff,
    ...(opts.tags ? { tags: opts.tags } : {}),
    forks: opts.forks,
    localRoot: PROJECT_ROOT,
    reporter: opts.reporter,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
