import { describe, expect, it } from "vitest";
import { measure } from "../../src/drill/measure.js";
import { buildTimeline, formatOffset } from "../../src/drill/timeline.js";
import { T0, crashScenario, stopScenario } from "./scenario.js";

describe("buildTimeline", () => {
  it("tells the stop drill in time order relative to the fault", () => {
    const obs = stopScenario();
    obs.haLog = [
      {
        server: "server2",
        entry: {
          atMs: T0 - 300,
          resolutionMs: 1000,
          program: "heartbeat",
          message: "Received shutdown notice from 'server1'.",
          event: { kind: "peer-leaving", node: "server1" },
        },
      },
      {
        server: "server2",
        entry: {
          atMs: T0,
          resolutionMs: 1000,
          program: "heartbeat",
          message: "Link server1:eth1 dead.",
        },
      },
    ];
    const events = buildTimeline(obs, measure(obs));
    expect(events.map((e) => [e.atMs, e.server, e.text])).toEqual([
      [-300, "server2", "log: Received shutdown notice from 'server1'."],
      [0, "server1", "fault injected: stop"],
      [300, "server1", "drops 192.168.0.253 (eth0:0)"],
      [420, "server2", "adds 192.168.0.253 (eth0:0)"],
      [425, "server2", "first gratuitous ARP for 192.168.0.253"],
      [900, "server2", "first answer to a client from 192.168.0.253"],
      [1500, "server1", "running: tftp, ftp"],
      [1500, "server2", "running: dhcp, tftp, ftp, ha"],
      [5000, "server1", "fault undone"],
      [17_000, "server2", "drops 192.168.0.253 (eth0:0)"],
      [17_100, "server1", "adds 192.168.0.253 (eth0:0)"],
    ]);
  });

  it("marks the start and end of double ownership", () => {
    const obs = crashScenario();
    const texts = buildTimeline(obs, measure(obs)).map((e) => `${e.atMs} ${e.text}`);
    expect(texts).toContain("1300 192.168.0.253 owned by both server1 and server2");
    expect(texts).toContain("17000 192.168.0.253 has one owner again");
  });
});

describe("formatOffset", () => {
  it("shows milliseconds, and whole seconds for log lines", () => {
    expect(formatOffset({ atMs: 420, text: "" })).toBe("+0.420 s");
    expect(formatOffset({ atMs: -1000, text: "" })).toBe("-1.000 s");
    expect(formatOffset({ atMs: 1400, text: "", resolutionMs: 1000 })).toBe("~+1 s");
  });
});
