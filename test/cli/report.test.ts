// How an error ends a run: what is said of it, line by line, and its exit code.
import { describe, expect, it } from "vitest";
import { EXIT_FAILED, report } from "../../src/cli/report.js";
import { ConnectError, TaskError } from "../../src/errors.js";

function said(err: unknown): { code: number; lines: string[] } {
  const lines: string[] = [];
  return { code: report(err, (l) => lines.push(l)), lines };
}

describe("report", () => {
  it("a TaskError's message, with what a host printed in it, escaped line by line", () => {
    const err = new TaskError(
      "command failed (exit 1): ip link\n\u001b]0;owned\u0007RTNETLINK answers: \u001b[31mNo such device",
    );
    expect(said(err)).toEqual({
      code: EXIT_FAILED,
      lines: [
        "error: command failed (exit 1): ip link",
        "\\x1b]0;owned\\x07RTNETLINK answers: \\x1b[31mNo such device",
      ],
    });
  });

  it("a ConnectError's message, escaped", () => {
    const err = new ConnectError("server1", "banner \u001b[2J\u202egnp.exe");
    expect(said(err).lines).toEqual(["error: server1: banner \\x1b[2J\\u202egnp.exe"]);
  });
});
