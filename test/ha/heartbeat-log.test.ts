import { describe, expect, it } from "vitest";
import { parseHeartbeatLog, parseHeartbeatLogLine } from "../../src/ha/heartbeat/log.js";

const UTC = { year: 2026, utcOffsetMinutes: 0 };

// /var/log/ha-log of the survivor in a lab drill (heartbeat 3.0.6, Debian 12): the daemon and
// the resource scripts write different formats into the same file.
const TAKEOVER_LOG = `Nov 27 14:29:27 server2 heartbeat: [1665]: info: Received shutdown notice from 'server1'.
2026/11/27_14:29:27  mach_down(default)[2250]:    info: Taking over resource group IPaddr::192.168.0.253/24/eth0
2026/11/27_14:29:27  ResourceManager(default)[2274]:    info: Acquiring resource group: server1 IPaddr::192.168.0.253/24/eth0 isc-dhcp-server
2026/11/27_14:29:27  /usr/lib/ocf/resource.d//heartbeat/IPaddr(IPaddr_192.168.0.253)[2303]:    INFO:  Resource is stopped
2026/11/27_14:29:30  mach_down(default)[2250]:    info: mach_down takeover complete for node server1.
Nov 27 14:29:30 server2 heartbeat: [1665]: info: mach_down takeover complete.
Nov 27 14:29:30 server2 heartbeat: [1665]: WARN: node server1: is dead
this line is not from heartbeat`;

describe("parseHeartbeatLogLine", () => {
  it("reads the syslog-style format with level and event", () => {
    const e = parseHeartbeatLogLine(
      "Nov 27 14:12:01 server2 heartbeat: [2345]: WARN: node server1: is dead",
      UTC,
    );
    expect(e).toEqual({
      atMs: Date.UTC(2026, 10, 27, 14, 12, 1),
      resolutionMs: 1000,
      program: "heartbeat",
      level: "WARN",
      message: "node server1: is dead",
      event: { kind: "peer-dead", node: "server1" },
    });
  });

  it("reads cluster-glue's own format", () => {
    const e = parseHeartbeatLogLine(
      "heartbeat[2345]: 2026/11/27_14:12:05 info: Received shutdown notice from 'server1'.",
      UTC,
    );
    expect(e?.atMs).toBe(Date.UTC(2026, 10, 27, 14, 12, 5));
    expect(e?.program).toBe("heartbeat");
    expect(e?.event).toEqual({ kind: "peer-leaving", node: "server1" });
  });

  it("applies the server's UTC offset", () => {
    const e = parseHeartbeatLogLine("Nov 27 15:12:01 server2 heartbeat: [1]: info: x", {
      year: 2026,
      utcOffsetMinutes: 60,
    });
    expect(e?.atMs).toBe(Date.UTC(2026, 10, 27, 14, 12, 1));
  });

  it("classifies a takeover from the peer's notice to completion, in both formats of the file", () => {
    const entries = parseHeartbeatLog(TAKEOVER_LOG, UTC);
    expect(entries).toHaveLength(7);
    expect(entries.map((e) => e.event?.kind)).toEqual([
      "peer-leaving",
      "takeover-start",
      "acquire",
      undefined,
      "takeover-complete",
      "takeover-complete",
      "peer-dead",
    ]);
    expect(entries[1]).toEqual({
      atMs: Date.UTC(2026, 10, 27, 14, 29, 27),
      resolutionMs: 1000,
      program: "mach_down(default)",
      level: "info",
      message: "Taking over resource group IPaddr::192.168.0.253/24/eth0",
      event: { kind: "takeover-start", subject: "IPaddr::192.168.0.253/24/eth0" },
    });
    expect(entries[2]?.event).toEqual({
      kind: "acquire",
      node: "server1",
      subject: "IPaddr::192.168.0.253/24/eth0 isc-dhcp-server",
    });
    expect(entries[3]?.program).toBe(
      "/usr/lib/ocf/resource.d//heartbeat/IPaddr(IPaddr_192.168.0.253)",
    );
    expect(entries[3]?.message).toBe("Resource is stopped");
    expect(entries[4]?.event).toEqual({ kind: "takeover-complete", node: "server1" });
    expect(entries[5]?.event).toEqual({ kind: "takeover-complete" });
  });

  it("classifies release, shutdown and late heartbeats", () => {
    const kinds = parseHeartbeatLog(
      `Nov 27 14:12:00 server1 ResourceManager(default)[99]: info: Releasing resource group: server1 IPaddr::192.168.0.253/24/eth0
Nov 27 14:12:00 server1 heartbeat: [98]: info: server1 Heartbeat shutdown complete.
Nov 27 14:12:00 server2 heartbeat: [97]: WARN: Late heartbeat: Node server1: interval 1250 ms (> deadtime)`,
      UTC,
    ).map((e) => e.event?.kind);
    expect(kinds).toEqual(["release", "stopped", "late-heartbeat"]);
  });
});
