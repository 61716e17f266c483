import { describe, expect, it } from "vitest";
import { parseLease } from "../../../src/lab/client/dhcp.js";
import { throughput, totals, type Transfer } from "../../../src/lab/client/report.js";

const t = (startMs: number, endMs: number, bytes: number, server?: string): Transfer => ({
  file: "f",
  startMs,
  endMs,
  bytes,
  address: "192.168.0.253",
  ...(server ? { server } : {}),
  exitCode: 0,
});

describe("client report", () => {
  it("spreads bytes over time buckets by the server that sent them", () => {
    const buckets = throughput([t(500, 2500, 4000, "server1"), t(2500, 3000, 100)]);
    expect(buckets).toEqual([
      { tMs: 0, bytes: { server1: 1000 } },
      { tMs: 1000, bytes: { server1: 2000 } },
      { tMs: 2000, bytes: { server1: 1000, "192.168.0.253": 100 } },
    ]);
  });

  it("totals bytes per address and per server", () => {
    expect(totals([t(0, 1, 10, "server1"), t(1, 2, 5, "server2"), t(2, 3, 1)])).toEqual({
      bytes: 16,
      bytesByAddress: { "192.168.0.253": 16 },
      bytesByServer: { server1: 10, server2: 5, unknown: 1 },
    });
  });

  it("parses the lease line of the udhcpc script", () => {
    const out =
      "udhcpc: started\nKSORCH_LEASE ip=192.168.0.128 mask=24 siaddr=192.168.0.253 boot_file=pxelinux.0 serverid=192.168.0.1\n";
    expect(parseLease(out)).toEqual({
      ip: "192.168.0.128",
      mask: 24,
      siaddr: "192.168.0.253",
      bootFile: "pxelinux.0",
      serverId: "192.168.0.1",
    });
    expect(parseLease("udhcpc: no lease, failing\n")).toBeUndefined();
  });

  it("reads pxelinux's reboot time (option 211) when the lease has one", () => {
    const line = (t: string) =>
      `KSORCH_LEASE ip=192.168.0.128 mask=24 siaddr=a boot_file=pxelinux.0 serverid=b reboottime=${t}\n`;
    expect(parseLease(line("10"))?.rebootS).toBe(10);
    expect(parseLease(line(""))).not.toHaveProperty("rebootS");
  });
});
