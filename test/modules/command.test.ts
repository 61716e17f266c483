import { describe, expect, it } from "vitest";
import { commandModule, shellModule } from "../../src/modules/command/index.js";
import { fakeHost } from "./helpers.js";

describe("command and shell", () => {
  it.each([
    ["creates exists", { creates: "/etc/done" }, 0, "/etc/done exists"],
    ["removes gone", { removes: "/etc/old" }, 0, "/etc/old does not exist"],
    ["unless succeeds", { unless: "grep -q x /f" }, 0, "unless: grep -q x /f succeeded"],
  ])("noop when %s", async (_n, guard, exit, reason) => {
    const { host, t } = fakeHost([{ match: () => true, answer: { exitCode: exit } }]);
    const plan = await commandModule.plan(
      commandModule.args.parse({ argv: ["touch", "/etc/done"], ...guard }),
      host,
    );
    expect(plan).toEqual({ kind: "noop", reason });
    expect(t.commands()).toHaveLength(1);
  });

  it("quotes every argument of argv", async () => {
    const { host } = fakeHost([]);
    const plan = await commandModule.plan(
      commandModule.args.parse({ argv: ["ip", "addr", "add", "10.0.0.3/24; reboot"] }),
      host,
    );
    expect(
      plan.kind === "change" && plan.steps[0]?.kind === "command" && plan.steps[0].command,
    ).toBe("ip addr add '10.0.0.3/24; reboot'");
  });

  it("is changed without a guard, and a read-only check with changes: false", async () => {
    const { host } = fakeHost([]);
    const plain = await shellModule.plan(shellModule.args.parse({ cmd: "echo hi | wc -c" }), host);
    expect(plain.kind === "change" && plain.steps[0]).toMatchObject({ command: "echo hi | wc -c" });
    const probe = await shellModule.plan(
      shellModule.args.parse({ cmd: "true", changes: false }),
      host,
    );
    expect(probe.kind === "change" && probe.steps[0]).toMatchObject({ readOnly: true });
  });
});
