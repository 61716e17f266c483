import { describe, expect, it } from "vitest";
import { formatMatrix, matrixRow } from "../../src/drill/matrix.js";
import type { ClientOutcome, Observation } from "../../src/drill/types.js";

const client = (name: string, finished: boolean, retries: number): ClientOutcome => ({
  client: name,
  finished,
  checksumOk: finished,
  ...(finished ? {} : { error: "tftp 192.168.0.253:vmlinuz: curl exit 7 (pxelinux gave up)" }),
  startedAt: 10_000,
  phases: [
    { phase: "dhcp", startMs: 0, endMs: 300, retries: 0, budget: 3, ok: true },
    { phase: "tftp", startMs: 300, endMs: 6000, retries, budget: 30, ok: finished },
  ],
});

describe("failover matrix", () => {
  it("sums a drill up: finished clients, the longest wait after the fault, retries of budget", () => {
    // The fault at +1000 ms of the clients' start: both were in tftp, which ended at 6000.
    const obs = {
      faultAtMs: 11_000,
      clients: [
        {
          ...client("client1", true, 2),
          recovered: ["rebooted once after its boot loader failed"],
        },
        client("client2", false, 5),
      ],
    } as unknown as Observation;
    const row = matrixRow("tftp", obs, false);
    expect(row).toEqual({
      phase: "tftp",
      pass: false,
      finished: 1,
      clients: 2,
      longestWaitMs: 5000,
      retries: 5,
      budget: 30,
      recovered: ["client1 rebooted once after its boot loader failed"],
      error: "client2: tftp 192.168.0.253:vmlinuz: curl exit 7 (pxelinux gave up)",
    });
    const text = formatMatrix("poweroff", "real", [row]);
    expect(text).toMatch(/^failover matrix: --mode poweroff, real clients\n/);
    expect(text).toMatch(/tftp\s+FAIL\s+1\/2\s+1\s+5\.0 s\s+5 \/ 30\s+client2: tftp/);
  });
});
