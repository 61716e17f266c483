import { describe, expect, it } from "vitest";
import { packageModule } from "../../src/modules/package/index.js";
import { debianFacts, fakeHost, rhelFacts } from "./helpers.js";

const args = (names: string[], state?: "present" | "absent") =>
  packageModule.args.parse({ names, ...(state ? { state } : {}) });

describe("package", () => {
  it.each([
    [
      "apt, one missing",
      debianFacts,
      ["vsftpd", "tftpd-hpa"],
      "vsftpd\n",
      undefined,
      /apt-get install -y -q --no-install-recommends -- tftpd-hpa$/,
    ],
    ["apt, all there", debianFacts, ["vsftpd"], "vsftpd\n", undefined, "vsftpd already installed"],
    [
      "apt, remove installed",
      debianFacts,
      ["vsftpd"],
      "vsftpd\n",
      "absent",
      /apt-get remove -y -q -- vsftpd$/,
    ],
    [
      "dnf, missing",
      rhelFacts,
      ["dhcp-server"],
      "",
      undefined,
      /^dnf install -y -q -- dhcp-server$/,
    ],
    ["dnf, absent already", rhelFacts, ["dhcp-server"], "", "absent", "dhcp-server not installed"],
  ] as const)("%s", async (_n, facts, names, installed, state, want) => {
    const { host, t } = fakeHost(
      [{ match: /^(dpkg-query|rpm -q)/, answer: { stdout: installed } }],
      { facts },
    );
    const plan = await packageModule.plan(args([...names], state), host);
    if (typeof want === "string") {
      expect(plan).toEqual({ kind: "noop", reason: want });
    } else {
      expect(plan.kind).toBe("change");
      const steps = plan.kind === "change" ? plan.steps : [];
      expect(steps).toHaveLength(1);
      expect(steps[0]?.kind === "command" && steps[0].command).toMatch(want);
      if (facts.packageManager === "apt")
        expect(steps[0]?.kind === "command" && steps[0].command).toContain(
          "DEBIAN_FRONTEND=noninteractive",
        );
    }
    expect(t.commands()).toHaveLength(1);
  });

  it("refuses names that are not package names before any host is touched", () => {
    expect(packageModule.args.safeParse({ names: ["vsftpd; reboot"] }).success).toBe(false);
    expect(packageModule.args.safeParse({ names: [] }).success).toBe(false);
  });
});
