import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Facts } from "../../src/modules/facts/facts.js";
import { serviceModule } from "../../src/modules/service/index.js";
import { bootLinks, parseQuery } from "../../src/modules/service/init.js";
import { debianFacts, fakeHost, localTransport, rhelFacts } from "./helpers.js";

const chkconfigFacts: Facts = {
  ...rhelFacts,
  initSystem: "sysv",
  tools: { service: true, updateRcD: false, chkconfig: true, systemctl: false },
};

type Row = [
  string,
  Facts,
  Record<string, unknown>,
  { running: number; enabled: number },
  string[] | string,
];

// Facts and the host's current state in; commands (or the noop reason) out.
const rows: Row[] = [
  [
    "sysv: start a stopped one",
    debianFacts,
    { state: "started" },
    { running: 3, enabled: 0 },
    ["service vsftpd start"],
  ],
  [
    "sysv: running already",
    debianFacts,
    { state: "started", enabled: true },
    { running: 0, enabled: 3 },
    "vsftpd is running and enabled",
  ],
  [
    "sysv: enable makes links then enables",
    debianFacts,
    { enabled: true },
    { running: 0, enabled: 0 },
    ["update-rc.d vsftpd defaults >/dev/null && update-rc.d vsftpd enable"],
  ],
  [
    "sysv: disable",
    debianFacts,
    { enabled: false },
    { running: 0, enabled: 3 },
    ["update-rc.d vsftpd disable"],
  ],
  [
    "restarted starts a stopped one",
    debianFacts,
    { state: "restarted" },
    { running: 3, enabled: 0 },
    ["service vsftpd start"],
  ],
  [
    "restarted restarts a running one",
    debianFacts,
    { state: "restarted" },
    { running: 0, enabled: 0 },
    ["service vsftpd restart"],
  ],
  [
    "systemd",
    rhelFacts,
    { state: "stopped", enabled: false },
    { running: 0, enabled: 1 },
    ["systemctl stop vsftpd", "systemctl disable vsftpd"],
  ],
  [
    "chkconfig",
    chkconfigFacts,
    { enabled: true },
    { running: 0, enabled: 0 },
    ["chkconfig vsftpd on"],
  ],
];

describe("service", () => {
  it.each(rows)("%s", async (_n, facts, extra, now, want) => {
    const { host, t } = fakeHost(
      [
        {
          match: () => true,
          answer: (c) => ({
            stdout: `${c.includes("running=") ? `running=${now.running}\n` : ""}${c.includes("enabled=") ? `enabled=${now.enabled}\n` : ""}`,
          }),
        },
      ],
      { facts },
    );
    const plan = await serviceModule.plan(
      serviceModule.args.parse({ name: "vsftpd", ...extra }),
      host,
    );
    if (typeof want === "string") expect(plan).toEqual({ kind: "noop", reason: want });
    else
      expect(
        plan.kind === "change" && plan.steps.map((s) => s.kind === "command" && s.command),
      ).toEqual(want);
    // One read, whatever was asked.
    expect(t.commands()).toHaveLength(1);
  });

  it("asks only about what the task sets", async () => {
    const { host, t } = fakeHost([{ match: /enabled=/, answer: { stdout: "enabled=0\n" } }]);
    await serviceModule.plan(
      serviceModule.args.parse({ name: "isc-dhcp-server", enabled: false }),
      host,
    );
    expect(t.commands()[0]).not.toContain("status");
  });

  it("needs state or enabled", () => {
    expect(serviceModule.args.safeParse({ name: "x" }).success).toBe(false);
    expect(serviceModule.args.safeParse({ name: "x; reboot", state: "started" }).success).toBe(
      false,
    );
  });
});

describe("boot links (Debian SysV)", () => {
  it("counts the S links of exactly that service in runlevels 2, 3 and 5, dangling ones too", async () => {
    const etc = await mkdtemp(join(tmpdir(), "ksorch-rc-"));
    for (const l of ["2", "3", "5", "6"]) await mkdir(join(etc, `rc${l}.d`));
    await symlink("../init.d/vsftpd", join(etc, "rc2.d", "S01vsftpd")); // dangling here
    await writeFile(join(etc, "rc3.d", "S20vsftpd"), "");
    await writeFile(join(etc, "rc5.d", "K01vsftpd"), "");
    await writeFile(join(etc, "rc5.d", "S01vsftpd-extra"), "");
    await writeFile(join(etc, "rc6.d", "S01vsftpd"), "");
    const t = localTransport();
    const count = async (name: string) => parseQuery((await t.run(bootLinks(name, etc))).stdout);
    expect(await count("vsftpd")).toEqual({ running: false, enabled: true });
    expect((await t.run(bootLinks("vsftpd", etc))).stdout).toBe("enabled=2\n");
    expect((await t.run(bootLinks("tftpd-hpa", etc))).stdout).toBe("enabled=0\n");
    expect((await t.run(bootLinks("vsftpd", join(etc, "missing")))).stdout).toBe("enabled=0\n");
  });
});
