// A HostContext around a FakeTransport, with facts of a Debian host without systemd unless a
// test says otherwise.
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import type { Facts } from "../../src/modules/facts/facts.js";
import type { HostContext, Plan } from "../../src/modules/types.js";
import type { RenderedFile } from "../../src/render/types.js";
import { FakeTransport, type FakeRule } from "../../src/transport/fake.js";
import type { RunResult, Transport } from "../../src/transport/types.js";

export const debianFacts: Facts = {
  hostname: "server1",
  os: { family: "debian", id: "debian", versionId: "12", prettyName: "Debian 12" },
  packageManager: "apt",
  initSystem: "sysv",
  tools: { service: true, updateRcD: true, chkconfig: false, systemctl: false },
  addresses: [],
  uid: 0,
};

export const rhelFacts: Facts = {
  ...debianFacts,
  os: { family: "rhel", id: "rocky", versionId: "9.4", prettyName: "Rocky 9" },
  packageManager: "dnf",
  initSystem: "systemd",
  tools: { service: false, updateRcD: false, chkconfig: false, systemctl: true },
};

export function fakeHost(
  rules: FakeRule[],
  opts: {
    facts?: Facts;
    files?: RenderedFile[];
    localRoot?: string;
    vars?: Record<string, unknown>;
    peers?: FakeTransport[];
  } = {},
): { host: HostContext; t: FakeTransport } {
  const t = new FakeTransport("server1", rules);
  const host: HostContext = {
    name: "server1",
    transport: t,
    facts: opts.facts ?? debianFacts,
    files: (tag) => (opts.files ?? []).filter((f) => f.tag === tag),
    peers: () => [t, ...(opts.peers ?? [])].map((p) => ({ name: p.host, transport: p })),
    localRoot: opts.localRoot ?? "/nonexistent",
    vars: opts.vars ?? {},
    shared: (_key, make) => make(),
  };
  return { host, t };
}

/**
 * Runs commands in /bin/sh on this machine: the real shell judges the commands modules build
 * (quoting, atomic writes, stat parsing), in a temporary directory.
 */
export function localTransport(): Transport {
  return {
    host: "local",
    run: (command, opts = {}) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        const p = spawn("/bin/sh", ["-c", command]);
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        p.on("close", (code) =>
          resolve({
            command,
            exitCode: code ?? 255,
            stdout,
            stderr,
            durationMs: performance.now() - t0,
          }),
        );
        const { stdin } = opts;
        if (stdin instanceof Readable) stdin.pipe(p.stdin);
        else p.stdin.end(stdin);
      }),
    close: async () => undefined,
  };
}

export function localHost(
  t: Transport,
  opts: { files?: RenderedFile[]; localRoot?: string } = {},
): HostContext {
  return {
    name: "local",
    transport: t,
    facts: debianFacts,
    files: (tag) => (opts.files ?? []).filter((f) => f.tag === tag),
    peers: () => [{ name: "local", transport: t }],
    localRoot: opts.localRoot ?? "/nonexistent",
    vars: {},
    shared: (_key, make) => make(),
  };
}

/** Runs every command step of a plan, as the engine would (stdin included). */
export async function applyPlan(t: Transport, plan: Plan): Promise<RunResult[]> {
  if (plan.kind === "noop") return [];
  const out: RunResult[] = [];
  for (const s of plan.steps) {
    if (s.kind !== "command") continue;
    const stdin = s.stdin?.();
    out.push(await t.run(s.command, stdin === undefined ? {} : { stdin }));
  }
  return out;
}
