import { describe, expect, it } from "vitest";
import { parseKeepalivedLog } from "../../src/ha/keepalived/log.js";

const UTC = { year: 2026, utcOffsetMinutes: 0 };

describe("parseKeepalivedLog", () => {
  it("reads syslog lines of keepalived 2.x and 1.x", () => {
    const entries = parseKeepalivedLog(
      `Nov 27 14:12:01 server2 Keepalived_vrrp[3026]: (VI_253) Entering MASTER STATE
Nov 27 14:12:03 server2 Keepalived_vrrp[3026]: VRRP_Instance(VI_253) Entering BACKUP STATE`,
      UTC,
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      atMs: Date.UTC(2026, 10, 27, 14, 12, 1),
      resolutionMs: 1000,
      program: "Keepalived_vrrp",
      message: "(VI_253) Entering MASTER STATE",
      event: { kind: "acquire", subject: "VI_253" },
    });
    expect(entries[1]?.event).toEqual({ kind: "release", subject: "VI_253" });
  });

  it("reads its own log file format with the year, and keeps sub-second times", () => {
    const [plain, fine] = parseKeepalivedLog(
      `Sat Sep 16 19:04:05 2023: (VI_1) Entering MASTER STATE
Fri Nov 27 14:12:01.250000 2026: (VI_1) Backup received priority 0 advertisement`,
      UTC,
    );
    expect(plain?.atMs).toBe(Date.UTC(2023, 8, 16, 19, 4, 5));
    expect(plain?.event?.kind).toBe("acquire");
    expect(fine?.atMs).toBe(Date.UTC(2026, 10, 27, 14, 12, 1, 250));
    expect(fine?.resolutionMs).toBe(1);
    expect(fine?.event).toEqual({ kind: "peer-dead", subject: "VI_1" });
  });
});
