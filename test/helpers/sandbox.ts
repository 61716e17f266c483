// A throwaway host for shell scripts under test: fresh namespaces from unshare(1), as root.
import { spawnSync } from "node:child_process";

export interface SandboxRun {
  /** The script's exit status; -1 when it was killed (at the timeout, say). */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout, then stderr. */
  output: string;
}

export interface SandboxOptions {
  /** The script's environment (default: the test's). */
  env?: NodeJS.ProcessEnv;
  /** Mount a /proc of the new PID namespace before the script runs (unshare --mount-proc). */
  mountProc?: boolean;
}

/**
 * Runs `script` with sh in fresh network, mount and PID namespaces: it sees only a loopback
 * interface (down), what it mounts stays its own, and every process it starts dies with it.
 * At most 30 s.
 */
export function inSandbox(script: string, opts: SandboxOptions = {}): SandboxRun {
  const ns = ["--net", "--mount", "--pid", "--fork", "--propagation", "private"];
  if (opts.mountProc) ns.push("--mount-proc");
  const r = spawnSync("unshare", [...ns, "sh", "-c", script], {
    encoding: "utf8",
    timeout: 30_000,
    ...(opts.env ? { env: opts.env } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
}
