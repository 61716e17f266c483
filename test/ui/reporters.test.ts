import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApplyReport, TaskResult } from "../../src/engine/results.js";
import { recapOf } from "../../src/engine/results.js";
import { JsonReporter } from "../../src/ui/json.js";
import { LiveReporter } from "../../src/ui/live.js";
import { PlainReporter } from "../../src/ui/plain.js";
import { colourWanted, palette } from "../../src/ui/style.js";

const result = (over: Partial<TaskResult>): TaskResult => ({
  host: "server1",
  playbook: "services",
  task: "vsftpd configuration",
  module: "config",
  handler: false,
  status: "ok",
  steps: [],
  attempts: 1,
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 12,
  ...over,
});

function report(results: TaskResult[]): ApplyReport {
  const recap = recapOf(["server1"], results);
  return {
    check: false,
    startedAt: "",
    durationMs: 300,
    pairs: results.length,
    results,
    recap,
    exitCode: 0,
  };
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = "";
  stream.on("data", (d: Buffer) => (buf += d.toString()));
  return { stream, text: () => buf };
}

describe("reporters", () => {
  it("plain: one line per task with its reason, a diff, then the recap; no colour codes", () => {
    const out = sink();
    const r = new PlainReporter(out.stream, palette(false));
    const changed = result({
      status: "changed",
      summary: "update /etc/vsftpd.conf",
      diff: "--- a\n+++ b\n-x\n+y\n",
    });
    r.taskEnd(result({ reason: "/etc/vsftpd.conf is up to date" }));
    r.taskEnd(changed);
    r.finish(report([result({}), changed]));
    const text = out.text();
    expect(text).toContain(
      "server1      ok          services / vsftpd configuration (12 ms) - /etc/vsftpd.conf is up to date",
    );
    expect(text).toContain(
      "changed     services / vsftpd configuration (12 ms) - update /etc/vsftpd.conf\n--- a\n+++ b\n-x\n+y",
    );
    expect(text).toContain("server1           ok=1  changed=1  skipped=0  failed=0  unreachable=0");
    expect(text).not.toContain("\u001b[");
  });

  it("plain and live: what a host printed in a failure reason is escaped, on the task's line", async () => {
    // A command's last line of stderr that clears the screen and writes a line of its own.
    const failed = result({
      status: "failed",
      reason: "restart vsftpd: \u001b[2J\u001b[Hall good\r\u202eok",
    });
    const escaped = "restart vsftpd: \\x1b[2J\\x1b[Hall good\\r\\u202eok";
    const plain = sink();
    new PlainReporter(plain.stream, palette(false)).taskEnd(failed);
    expect(plain.text()).toBe(
      `server1      failed      services / vsftpd configuration (12 ms) - ${escaped}\n`,
    );
    const live = sink();
    const r = new LiveReporter(palette(false), live.stream as unknown as NodeJS.WriteStream);
    r.start(["server1"]);
    await new Promise((resolve) => setImmediate(resolve)); // listr2 starts the host's row
    r.taskEnd(failed);
    await r.finish(report([failed]));
    expect(live.text()).toContain(`services / vsftpd configuration (12 ms) - ${escaped}\n`);
    expect(live.text()).not.toContain("\u001b[2J");
    expect(live.text()).not.toContain("\u202e");
  });

  it("plain: a task name rendered from a variable is escaped too", () => {
    const plain = sink();
    new PlainReporter(plain.stream, palette(false)).taskEnd(
      result({ task: "copy \u001b[31mred\nsecond line" }),
    );
    expect(plain.text()).toContain("services / copy \\x1b[31mred\\nsecond line (12 ms)");
    expect(plain.text().split("\n")).toHaveLength(2);
  });

  it("json: the report alone on its stream, progress elsewhere", async () => {
    const out = sink();
    const progress = sink();
    const r = new JsonReporter(new PlainReporter(progress.stream, palette(false)), out.stream);
    r.start(["server1"], false);
    r.taskEnd(result({}));
    await r.finish(report([result({})]));
    expect(JSON.parse(out.text())).toMatchObject({ pairs: 1, recap: [{ host: "server1", ok: 1 }] });
    expect(progress.text()).toContain("RECAP");
  });

  it("colour only in a terminal and without NO_COLOR", () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colourWanted(pipe, {})).toBe(false);
  });
});
