// A host whose commands hang, and an interrupt: the hang fails that host alone, at its timeout,
// with a message naming the command, while the other hosts finish every playbook; an
// interrupt stops every host's commands in flight and starts nothing more.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compilePlaybooks } from "../../src/engine/compile.js";
import { parsePlaybook, type PlaybookDef } from "../../src/engine/playbook.js";
import { silentReporter } from "../../src/engine/reporter.js";
import { runPlaybooks } from "../../src/engine/run.js";
import { FACTS_COMMAND } from "../../src/modules/facts/facts.js";
import { change, command, defineModule, noop, type Module } from "../../src/modules/types.js";
import { FakeTransport, type Matcher } from "../../src/transport/fake.js";
import { sh } from "../../src/transport/quote.js";

// Probes a path with `test -e`, then creates it with `touch`.
const marker = defineModule({
  name: "marker",
  description: "test marker",
  args: z.strictObject({ path: z.string() }),
  async plan(a, host) {
    const r = await host.transport.run(sh`test -e ${a.path}`);
    if (r.exitCode === 0) return noop(`${a.path} exists`);
    return change(`touch ${a.path}`, [command(`touch ${a.path}`, sh`touch ${a.path}`)]);
  },
});
const MODULES = new Map<string, Module>([["marker", marker as Module]]);

function host(name: string, hangOn?: Matcher): FakeTransport {
  const t = new FakeTransport(name, [
    { match: (c) => c === FACTS_COMMAND, answer: { stdout: "ID=debian\n@@ksorch-facts@@\n" } },
    { match: /^test -e /, answer: { exitCode: 1 } },
    { match: /^touch /, answer: {} },
  ]);
  if (hangOn) t.on(hangOn, { hang: true });
  return t;
}

const PLAYBOOKS = [
  "name: first\ntasks:\n  - name: a\n    marker: { path: /a }\n  - name: b\n    marker: { path: /b }\n",
  "name: second\ntasks:\n  - name: c\n    timeout: 2s\n    marker: { path: /c }\n",
];

function load(yamls: string[]): PlaybookDef[] {
  return yamls.map((y, i) => {
    const r = parsePlaybook(`pb${i}.yaml`, y, new Set(MODULES.keys()));
    if (!r.playbook) throw new Error(JSON.stringify(r.diagnostics));
    return r.playbook;
  });
}

async function run(hosts: FakeTransport[], timeoutMs: number, signal?: AbortSignal) {
  const playbooks = load(PLAYBOOKS);
  const names = hosts.map((h) => h.host);
  const { args } = compilePlaybooks(playbooks, names, () => ({}), MODULES, process.cwd());
  return runPlaybooks(
    playbooks,
    args,
    hosts.map((t) => ({ name: t.host, scope: {}, connect: async () => t, files: () => [] })),
    MODULES,
    {
      check: false,
      diff: false,
      forks: 5,
      localRoot: "/",
      reporter: silentReporter,
      timeoutMs,
      ...(signal ? { signal } : {}),
    },
  );
}

const outcome = (r: Awaited<ReturnType<typeof run>>, host: string) =>
  r.results.filter((x) => x.host === host).map((x) => `${x.task}: ${x.status}`);

describe("a hang on one host", () => {
  it("fails that host at its timeout, naming the command; the others finish every playbook", async () => {
    const t0 = performance.now();
    const r = await run([host("s1", /^test -e \/a$/), host("s2")], 300);
    expect(performance.now() - t0).toBeLessThan(3000);
    const failed = r.results.find((x) => x.host === "s1" && x.status === "failed");
    expect(failed?.task).toBe("a");
    expect(failed?.reason).toBe("timed out after 0.3 s (killed on the host): test -e /a");
    expect(outcome(r, "s1")).toEqual(["a: failed"]);
    expect(outcome(r, "s2")).toEqual(["a: changed", "b: changed", "c: changed"]);
    expect(r.exitCode).toBe(1);
  });

  it("fails a host whose facts hang (a FIFO at /etc/os-release) at gathering them", async () => {
    const r = await run([host("s1", (c: string) => c === FACTS_COMMAND), host("s2")], 300);
    const failed = r.results.find((x) => x.host === "s1");
    expect(failed?.task).toBe("gather facts");
    expect(failed?.reason).toMatch(
      /^timed out after 0.3 s \(killed on the host\): cat \/etc\/os-release/,
    );
    expect(outcome(r, "s2")).toEqual(["a: changed", "b: changed", "c: changed"]);
  });

  it("bounds a task's commands by its own timeout: before the run's default", async () => {
    const s1 = host("s1", /^test -e \/c$/);
    const t0 = performance.now();
    const r = await run([s1], 3_600_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(r.results.find((x) => x.task === "c")?.reason).toMatch(/^timed out after 2 s/);
    const timeouts = new Map(s1.calls.map((c) => [c.command, c.timeoutMs]));
    expect(timeouts.get("test -e /a")).toBe(3_600_000);
    expect(timeouts.get("test -e /c")).toBe(2000);
  });
});

describe("an interrupt", () => {
  it("stops the commands in flight on every host, starts nothing more, and says so", async () => {
    const hosts = [host("s1", /^test -e \/b$/), host("s2", /^touch \/a$/)];
    const ctl = new AbortController();
    setTimeout(() => ctl.abort("SIGINT"), 200);
    const t0 = performance.now();
    const r = await run(hosts, 3_600_000, ctl.signal);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.interrupted).toBe("SIGINT");
    expect(hosts.every((h) => h.interrupted)).toBe(true);
    expect(outcome(r, "s1")).toEqual(["a: changed", "b: failed"]);
    expect(outcome(r, "s2")).toEqual(["a: failed"]);
    expect(r.results.find((x) => x.host === "s2")?.reason).toBe("interrupted: stopped touch /a");
    // Nothing of the second playbook was asked for after the interrupt.
    expect(hosts.flatMap((h) => h.commands()).filter((c) => c.startsWith("touch /c"))).toEqual([]);
  });
});
