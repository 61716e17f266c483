import { describe, expect, it } from "vitest";
import { drillResult } from "../../src/drill/result.js";
import { formatSummary } from "../../src/drill/summary.js";
import { T0, crashScenario, stopScenario } from "./scenario.js";

describe("formatSummary", () => {
  it("states the verdict, the timings next to the limit and the paper, and the timeline", () => {
    const obs = stopScenario();
    obs.haLog = [
      {
        server: "server2",
        entry: {
          atMs: T0 + 1700,
          resolutionMs: 1000,
          program: "mach_down(default)",
          message: "mach_down takeover complete for node server1.",
          event: { kind: "takeover-complete", node: "server1" },
        },
      },
    ];
    const text = formatSummary(drillResult(obs));
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "drill failover: stop on server1 (heartbeat): PASS: 192.168.0.253 moved to server2 in 0.420 s (limit 2.000 s); every client installed with verified checksums",
    );
    expect(text).toMatch(/192\.168\.0\.253 +server2 +0\.420 s +0\.425 s +0\.900 s +2\.000 s +~4 s/);
    expect(text).toContain(
      "HA log says: takeover within 2 s (whole seconds, as the paper read it)",
    );
    expect(text).toContain("failback: 12.100 s after the undo");
    expect(text).toContain(
      "  pass    takeover: 192.168.0.253 on server2 after 0.420 s, 0.120 s after server1 released it (limit 2.000 s without an owner)",
    );
    expect(text).toMatch(/\+0\.420 s {2}server2 {3}adds 192\.168\.0\.253 \(eth0:0\)/);
  });

  it("prints a failed check's fix under it", () => {
    const text = formatSummary(drillResult(crashScenario()));
    expect(text.split("\n")[0]).toMatch(/: FAIL: single owner throughout; dhcp follows its VIP$/);
    expect(text).toMatch(
      / {2}fail {4}single owner throughout: .*\n {10}fix: heartbeat on server1 died/,
    );
  });
});
