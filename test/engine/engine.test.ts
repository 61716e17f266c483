import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROJECT_ROOT } from "../../src/engine/apply.js";
import { compilePlaybooks } from "../../src/engine/compile.js";
import { parsePlaybook, type PlaybookDef } from "../../src/engine/playbook.js";
import { silentReporter, type Reporter } from "../../src/engine/reporter.js";
import { runPlaybooks, type EngineHost } from "../../src/engine/run.js";
import { ConnectError } from "../../src/errors.js";
import { FACTS_COMMAND } from "../../src/modules/facts/facts.js";
import { change, command, defineModule, noop, type Module } from "../../src/modules/types.js";
import { sh } from "../../src/transport/quote.js";
import { FakeTransport } from "../../src/transport/fake.js";

// A module for engine tests: ensures a marker exists on the host (read with test -e, write with
// touch); `fail: true` makes its write fail.
const marker = defineModule({
  name: "marker",
  description: "test marker",
  args: z.strictObject({ path: z.string(), fail: z.boolean().default(false) }),
  async plan(a, host) {
    const r = await host.transport.run(sh`test -e ${a.path}`);
    if (r.exitCode === 0) return noop(`${a.path} exists`);
    return change(`touch ${a.path}`, [
      command(`touch ${a.path}`, a.fail ? "false" : sh`touch ${a.path}`),
    ]);
  },
});
const MODULES = new Map<string, Module>([["marker", marker as Module]]);

/** A host whose filesystem is a set of marker paths. */
function markerHost(
  name: string,
  files = new Set<string>(),
): { t: FakeTransport; files: Set<string> } {
  const t = new FakeTransport(name, [
    {
      match: (c) => c === FACTS_COMMAND,
      answer: { stdout: "ID=debian\n@@ksorch-facts@@\napt-get\n" },
    },
    { match: /^test -e /, answer: (c) => ({ exitCode: files.has(c.slice(8)) ? 0 : 1 }) },
    {
      match: /^touch /,
      answer: (c) => {
        files.add(c.slice(6));
        return {};
      },
    },
    { match: /^false$/, answer: { exitCode: 1, stderr: "boom" } },
  ]);
  return { t, files };
}

function load(...yamls: string[]): PlaybookDef[] {
  return yamls.map((y, i) => {
    const r = parsePlaybook(`pb${i}.yaml`, y, new Set(MODULES.keys()));
    if (!r.playbook) throw new Error(JSON.stringify(r.diagnostics));
    return r.playbook;
  });
}

async function run(
  playbooks: PlaybookDef[],
  hosts: Record<string, FakeTransport | Error>,
  opts: {
    check?: boolean;
    tags?: string[];
    reporter?: Reporter;
    verify?: (host: string) => string | undefined;
  } = {},
) {
  const names = Object.keys(hosts);
  const { args, diagnostics } = compilePlaybooks(
    playbooks,
    names,
    (h) => ({ host: h }),
    MODULES,
    PROJECT_ROOT,
  );
  expect(diagnostics).toEqual([]);
  const engineHosts: EngineHost[] = names.map((name) => ({
    name,
    scope: { host: name },
    connect: async () => {
      const t = hosts[name];
      if (t instanceof Error) throw t;
      return t as FakeTransport;
    },
    files: () => [],
    ...(opts.verify ? { verify: () => opts.verify?.(name) } : {}),
  }));
  return runPlaybooks(playbooks, args, engineHosts, MODULES, {
    check: opts.check ?? false,
    diff: false,
    forks: 5,
    localRoot: "/",
    timeoutMs: 60_000,
    reporter: opts.reporter ?? silentReporter,
    ...(opts.tags ? { tags: opts.tags } : {}),
  });
}

const PB = `
name: markers
tasks:
  - name: a
    marker: { path: /a }
    notify: reload
    tags: [first]
  - name: b
    marker: { path: "/b-<%= host %>" }
    notify: [reload]
handlers:
  - name: reload
    marker: { path: /reloaded }
`;

describe("engine", () => {
  it("reads before it writes, runs a notified handler once at the end, and is idempotent", async () => {
    const h = markerHost("s1");
    const first = await run(load(PB), { s1: h.t });
    // Both tasks are planned up front; once /a was written, b is planned again before its write.
    expect(h.t.commands().filter((c) => c !== FACTS_COMMAND)).toEqual([
      "test -e /a",
      "test -e /b-s1",
      "touch /a",
      "test -e /b-s1",
      "touch /b-s1",
      "test -e /reloaded",
      "touch /reloaded",
    ]);
    expect(first.results.map((r) => `${r.task}:${r.status}`)).toEqual([
      "a:changed",
      "b:changed",
      "reload:changed",
    ]);
    expect(first.exitCode).toBe(0);

    h.files.delete("/reloaded");
    const second = await run(load(PB), { s1: h.t });
    expect(second.results.map((r) => `${r.task}:${r.status}`)).toEqual(["a:ok", "b:ok"]);
    expect(second.recap).toEqual([
      { host: "s1", ok: 2, changed: 0, skipped: 0, failed: 0, unreachable: 0 },
    ]);
  });

  it("touches no host when one host's facts do not fit the inventory", async () => {
    const [s1, s2] = [markerHost("s1"), markerHost("s2")];
    const r = await run(
      load(PB),
      { s1: s1.t, s2: s2.t },
      {
        verify: (h) =>
          h === "s2" ? "the inventory says os: rhel9, the host runs Debian" : undefined,
      },
    );
    expect([...s1.t.commands(), ...s2.t.commands()].filter((c) => c !== FACTS_COMMAND)).toEqual([]);
    expect(r.results.map((x) => [x.host, x.status, x.reason])).toEqual([
      ["s2", "failed", "the inventory says os: rhel9, the host runs Debian"],
      ["s1", "skipped", "nothing changed: the facts of s2 do not fit the inventory"],
    ]);
    expect(r.exitCode).toBe(1);
  });

  it("changes nothing in check mode", async () => {
    const h = markerHost("s1");
    const r = await run(load(PB), { s1: h.t }, { check: true });
    expect(h.t.commands().some((c) => c.startsWith("touch"))).toBe(false);
    expect(h.files.size).toBe(0);
    expect(r.results.filter((x) => !x.handler).map((x) => x.status)).toEqual([
      "changed",
      "changed",
    ]);
  });

  it("runs only tagged tasks with --tags", async () => {
    const h = markerHost("s1");
    const r = await run(load(PB), { s1: h.t }, { tags: ["first"] });
    expect(r.results.map((x) => x.task)).toEqual(["a", "reload"]);
    expect(h.files.has("/b-s1")).toBe(false);
  });

  it("isolates failures: a failed or unreachable host stops, the others finish", async () => {
    const bad = `
name: fails
tasks:
  - name: breaks on s1
    marker: { path: /x, fail: "<%= host === 's1' %>" }
  - name: after
    marker: { path: /y }
`;
    const s1 = markerHost("s1");
    const s2 = markerHost("s2");
    const r = await run(load(bad), {
      s1: s1.t,
      s2: s2.t,
      s3: new ConnectError("s3", "connection refused"),
    });
    expect(r.exitCode).toBe(1);
    const by = (h: string) =>
      r.results.filter((x) => x.host === h).map((x) => `${x.task}:${x.status}`);
    expect(by("s1")).toEqual(["breaks on s1:failed"]);
    expect(by("s2")).toEqual(["breaks on s1:changed", "after:changed"]);
    expect(by("s3")).toEqual(["gather facts:unreachable"]);
    expect(r.results.find((x) => x.host === "s1")?.reason).toContain("boom");
  });

  it("runs a run_once task on the first host only, after the previous playbook finished everywhere", async () => {
    const once = `
name: cluster
tasks:
  - name: once
    run_once: true
    marker: { path: /once }
`;
    const s1 = markerHost("s1");
    const s2 = markerHost("s2");
    const r = await run(load(PB, once), { s1: s1.t, s2: s2.t });
    const onceResults = r.results.filter((x) => x.task === "once");
    expect(onceResults.map((x) => x.host)).toEqual(["s1"]);
    // Both hosts finished the first playbook (handlers included) before the second began.
    const idx = r.results.findIndex((x) => x.task === "once");
    expect(r.results.slice(0, idx).filter((x) => x.task === "reload")).toHaveLength(2);
  });

  it("skips a task whose when is false", async () => {
    const pb = `
name: cond
tasks:
  - name: only s2
    when: "host === 's2'"
    marker: { path: /c }
`;
    const s1 = markerHost("s1");
    const r = await run(load(pb), { s1: s1.t });
    expect(r.results[0]?.status).toBe("skipped");
    expect(s1.t.commands()).toEqual([FACTS_COMMAND]);
  });
});

describe("plans made ahead", () => {
  const ONCE = `
name: cluster
tasks:
  - name: once
    run_once: true
    marker: { path: /once }
`;

  it("plans every playbook's tasks before the first one runs, and uses those plans while nothing changed", async () => {
    const h = markerHost("s1", new Set(["/a", "/b-s1", "/once"]));
    let askedBeforeFirstResult: string[] = [];
    const reporter = {
      ...silentReporter,
      taskEnd: () => {
        if (askedBeforeFirstResult.length === 0) askedBeforeFirstResult = h.t.commands();
      },
    };
    const r = await run(load(PB, ONCE), { s1: h.t }, { reporter });
    expect(r.results.map((x) => `${x.task}:${x.status}`)).toEqual(["a:ok", "b:ok", "once:ok"]);
    expect(askedBeforeFirstResult).toEqual([
      FACTS_COMMAND,
      "test -e /a",
      "test -e /b-s1",
      "test -e /once",
    ]);
    // Each probe once: no playbook planned again.
    expect(h.t.commands()).toEqual(askedBeforeFirstResult);
  });

  it("plans a later playbook again once an earlier one changed something", async () => {
    const h = markerHost("s1", new Set(["/b-s1", "/reloaded"]));
    await run(load(PB, ONCE), { s1: h.t });
    expect(h.t.commands().filter((c) => c === "test -e /once")).toHaveLength(2);
    expect(h.files.has("/once")).toBe(true);
  });

  it("hands a run_once task to the next host when the first one failed, with a fresh plan", async () => {
    const broken = `
name: breaks s1
tasks:
  - name: probe fails on s1
    marker: { path: "/probe-<%= host %>" }
`;
    const s1 = markerHost("s1", new Set(["/once"]));
    const s2 = markerHost("s2", new Set(["/probe-s2"]));
    // A probe with no answer: the plan fails on s1, before any step ran anywhere.
    s1.t.on(/^test -e \/probe/, () => {
      throw new Error("probe exploded");
    });
    const r = await run(load(broken, ONCE), { s1: s1.t, s2: s2.t });
    const by = (h: string) =>
      r.results.filter((x) => x.host === h).map((x) => `${x.task}:${x.status}`);
    expect(by("s1")).toEqual(["probe fails on s1:failed"]);
    expect(by("s2")).toEqual(["probe fails on s1:ok", "once:changed"]);
    expect(s2.files.has("/once")).toBe(true);
  });
});

describe("shared work", () => {
  it("does a host-independent job once per run, for every host and every plan", async () => {
    let reads = 0;
    const reader = defineModule({
      name: "reader",
      description: "reads a local thing once per run",
      args: z.strictObject({}),
      async plan(_a, host) {
        const n = await host.shared("tree", async () => (reads += 1));
        return noop(`read ${n} time(s)`);
      },
    });
    const modules = new Map<string, Module>([...MODULES, ["reader", reader as Module]]);
    const pb = parsePlaybook(
      "pb.yaml",
      "name: r\ntasks:\n  - name: one\n    reader: {}\n  - name: two\n    reader: {}\n",
      new Set(modules.keys()),
    ).playbook as PlaybookDef;
    const names = ["s1", "s2"];
    const { args } = compilePlaybooks([pb], names, () => ({}), modules, PROJECT_ROOT);
    const r = await runPlaybooks(
      [pb],
      args,
      names.map((name) => ({
        name,
        scope: {},
        connect: async () => markerHost(name).t,
        files: () => [],
      })),
      modules,
      {
        check: false,
        diff: false,
        forks: 5,
        localRoot: "/",
        timeoutMs: 60_000,
        reporter: silentReporter,
      },
    );
    expect(reads).toBe(1);
    expect(r.results.map((x) => x.reason)).toEqual(Array(4).fill("read 1 time(s)"));
  });
});

describe("playbook validation", () => {
  it("reports file, line, column and field for bad arguments and unknown keys, all at once", () => {
    const text = `name: bad
tasks:
  - name: typo
    markr: { path: /a }
  - name: wrong type
    marker: { path: 42 }
  - name: good
    marker: { path: /ok }
    notify: nobody
`;
    const parsed = parsePlaybook("pb.yaml", text, new Set(MODULES.keys()));
    expect(parsed.playbook).toBeUndefined();
    expect(parsed.diagnostics.map((d) => [d.line, d.field])).toEqual([
      [4, "tasks.0.markr"],
      [9, "tasks.2.notify"],
    ]);
    const pb = parsePlaybook(
      "pb.yaml",
      text.replace("markr", "marker").replace("notify: nobody", ""),
      new Set(MODULES.keys()),
    );
    const { diagnostics } = compilePlaybooks(
      [pb.playbook as PlaybookDef],
      ["s1", "s2"],
      () => ({}),
      MODULES,
      PROJECT_ROOT,
    );
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      file: "pb.yaml",
      line: 6,
      column: 21,
      field: "tasks.1.marker.path",
    });
  });
});

describe("serial", () => {
  it("runs a serial: 1 playbook on one host after the other, handlers included", async () => {
    const pb = load(`
name: rolling
serial: 1
tasks:
  - name: a
    marker: { path: /a }
    notify: reload
handlers:
  - name: reload
    marker: { path: /reloaded }
`);
    const r = await run(pb, { s1: markerHost("s1").t, s2: markerHost("s2").t });
    expect(r.results.map((x) => `${x.host}:${x.task}`)).toEqual([
      "s1:a",
      "s1:reload",
      "s2:a",
      "s2:reload",
    ]);
    // Without serial the same playbook runs on both hosts at once.
    const parallel = { ...pb[0], serial: undefined } as PlaybookDef;
    const p = await run([parallel], { s1: markerHost("s1").t, s2: markerHost("s2").t });
    expect(p.results.map((x) => `${x.host}:${x.task}`)).toEqual([
      "s1:a",
      "s2:a",
      "s1:reload",
      "s2:reload",
    ]);
  });
});
