// BatchTransport against the real /bin/sh: commands asked for at the same moment share a few
// sessions, yet each one's stdout, stderr and exit code are exactly what it gives alone.
import { describe, expect, it } from "vitest";
import { BatchTransport, batchScript, splitBatch } from "../../src/transport/batch.js";
import type { RunOptions, RunResult, Transport } from "../../src/transport/types.js";
import { localTransport } from "../modules/helpers.js";

/** The local shell, recording each session it is asked to start. */
function counting(): Transport & { sessions: { command: string; opts: RunOptions }[] } {
  const shell = localTransport();
  const sessions: { command: string; opts: RunOptions }[] = [];
  return {
    host: "local",
    sessions,
    run: (command, opts = {}) => {
      sessions.push({ command, opts });
      return shell.run(command, opts);
    },
    close: () => shell.close(),
  };
}

const outcome = (r: RunResult) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });

// Commands that would notice a shared shell: exit, cd, set -e, no trailing newline, a trailing
// comment, a heredoc, stdin readers, stderr, a failing pipeline.
const COMMANDS = [
  "echo one",
  "exit 3",
  "cd /tmp && pwd",
  "pwd",
  "printf 'no newline'",
  "echo visible # a comment that must not eat the subshell's parenthesis",
  "cat <<EOF\nheredoc $((1 + 2))\nEOF",
  "cat",
  "echo to stderr >&2; false",
  "set -e; false; echo never",
  "test -d / || exit 0; printf 'a\\tb\\0c'",
  "ls /nonexistent-ksorch-path 2>&1 | head -c 0; exit 7",
];

describe("BatchTransport", () => {
  it("gives each command of a batch exactly what it gives alone, in a few sessions", async () => {
    const alone = localTransport();
    const expected = await Promise.all(COMMANDS.map(async (c) => outcome(await alone.run(c))));
    const inner = counting();
    const batched = new BatchTransport(inner);
    const got = await Promise.all(COMMANDS.map((c) => batched.run(c)));
    expect(got.map(outcome)).toEqual(expected);
    expect(got.map((r) => r.command)).toEqual(COMMANDS);
    expect(inner.sessions.length).toBeLessThanOrEqual(4);
    expect(inner.sessions.length).toBeGreaterThan(0);
  });

  it("runs a lone command as it is, and one with input on its own", async () => {
    const inner = counting();
    const batched = new BatchTransport(inner);
    expect((await batched.run("echo solo")).stdout).toBe("solo\n");
    const [piped] = await Promise.all([batched.run("cat", { stdin: "fed" }), batched.run("true")]);
    expect(piped.stdout).toBe("fed");
    expect(inner.sessions.map((s) => s.command)).toEqual(["echo solo", "cat", "true"]);
  });

  it("batches commands with the same timeout together and passes the timeout on", async () => {
    const inner = counting();
    const batched = new BatchTransport(inner);
    await Promise.all([
      batched.run("echo a", { timeoutMs: 5000 }),
      batched.run("echo b", { timeoutMs: 5000 }),
      batched.run("echo c", { timeoutMs: 9000 }),
    ]);
    const bySession = inner.sessions.map((s) => [s.opts.timeoutMs, s.command.includes("echo c")]);
    expect(bySession.filter(([ms]) => ms === 9000)).toEqual([[9000, true]]);
    expect(bySession.filter(([ms]) => ms === 5000).every(([, c]) => c === false)).toBe(true);
  });

  it("keeps commands that run as root apart from those that do not", async () => {
    const inner = counting();
    const batched = new BatchTransport(inner);
    await Promise.all([
      batched.run("echo a", { become: false }),
      batched.run("echo b"),
      batched.run("echo c", { become: false }),
      batched.run("echo d"),
    ]);
    expect(inner.sessions.length).toBeGreaterThanOrEqual(2);
    for (const s of inner.sessions) {
      const asRoot = s.opts.become !== false;
      expect(s.command.includes("echo b") || s.command.includes("echo d")).toBe(asRoot);
      expect(s.command.includes("echo a") || s.command.includes("echo c")).toBe(!asRoot);
    }
  });

  it("holds at most 4 sessions and sends what waited when one frees", async () => {
    let open = 0;
    let most = 0;
    const shell = localTransport();
    const inner: Transport = {
      host: "local",
      run: async (command, opts) => {
        open += 1;
        most = Math.max(most, open);
        try {
          return await shell.run(command, opts);
        } finally {
          open -= 1;
        }
      },
      close: async () => undefined,
    };
    const batched = new BatchTransport(inner);
    const first = Array.from({ length: 10 }, (_, i) => batched.run(`echo ${i}`));
    // Asked later, while the first ten are still running.
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 6 }, (_, i) => batched.run(`echo ${i + 10}`));
    const all = await Promise.all([...first, ...later]);
    expect(all.map((r) => r.stdout)).toEqual(Array.from({ length: 16 }, (_, i) => `${i}\n`));
    expect(most).toBeLessThanOrEqual(4);
  });

  it("fails every command of a batch whose session fails", async () => {
    const batched = new BatchTransport({
      host: "h",
      run: () => Promise.reject(new Error("connection lost")),
      close: async () => undefined,
    });
    const rs = await Promise.allSettled([batched.run("true"), batched.run("true")]);
    expect(rs.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});

describe("splitBatch", () => {
  it("fails the commands a cut-short script never finished, with what it printed", () => {
    const marker = "@@m";
    const script = batchScript(["echo a", "sleep 9", "echo c"], marker);
    expect(script).toContain("(\necho a\n) </dev/null");
    const cutShort: RunResult = {
      command: script,
      stdout: "a\n@@m:0:0;half",
      stderr: "@@m:0;oops",
      exitCode: 137,
      durationMs: 1,
    };
    expect(splitBatch(cutShort, marker, ["echo a", "sleep 9", "echo c"])).toEqual([
      { stdout: "a\n", stderr: "", exitCode: 0 },
      {
        stdout: "half",
        stderr: "oops\nksorch: the command did not finish (its batch ended early)\n",
        exitCode: 137,
      },
      {
        stdout: "",
        stderr: "ksorch: the command did not finish (its batch ended early)\n",
        exitCode: 137,
      },
    ]);
  });

  it("names the command a timed-out script stopped in, and the later ones as not run", () => {
    const script: RunResult = {
      command: "",
      stdout: "@@m:0:0;",
      stderr: "@@m:0;",
      exitCode: 124,
      durationMs: 1,
      timedOut: "timed out after 5 s (killed on the host)",
    };
    const parts = splitBatch(script, "@@m", ["true", "cat /etc/os-release", "id -u"]);
    expect(parts.map((p) => p.timedOut)).toEqual([
      undefined,
      "timed out after 5 s (killed on the host)",
      "not run: cat /etc/os-release of the same batch timed out",
    ]);
  });
});
