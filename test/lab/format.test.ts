import { describe, expect, it } from "vitest";
import type { ClientReport } from "../../src/lab/client/report.js";
import { formatReport, formatStatus } from "../../src/lab/format.js";

describe("lab text output", () => {
  it("says when a lab is not up", () => {
    expect(formatStatus({ name: "x", up: false, servers: [], clients: [] })).toBe("lab x: not up");
  });

  it("marks a powered-off server and lists the LAN bridge", () => {
    const text = formatStatus({
      name: "lab",
      up: false,
      switch: { netns: "lab.switch", lanBridge: "lan0" },
      servers: [
        {
          name: "server1",
          role: "server",
          netns: "lab.server1",
          mac: "02:6b:73:00:01:01",
          address: "192.168.0.1/24",
          running: false,
          sshPort: 2201,
          switchPort: "s1",
        },
      ],
      clients: [],
    });
    expect(text).toMatch(/^lab lab: DEGRADED/);
    expect(text).toContain("LAN bridge lan0 in namespace lab.switch");
    expect(text).toMatch(/server1 +server +lab\.server1 .* 127\.0\.0\.1:2201 +- +OFF$/m);
  });

  it("summarises a client report with its error", () => {
    const r = {
      client: "client1",
      verdict: "fail",
      durationMs: 12,
      pxelinux: { tried: [] },
      files: 0,
      bytes: 0,
      bytesByServer: {},
      retries: 2,
      error: "dhcp: no lease",
    } as unknown as ClientReport;
    expect(formatReport(r)).toBe(
      "client1 FAIL in 12 ms: lease -, config -, 0 files, 0 bytes (), 2 retries, dnf -\n  error: dhcp: no lease",
    );
  });
});
