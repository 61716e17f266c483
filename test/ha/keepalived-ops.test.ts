// keepalived's fault commands run for real in a sandbox (../helpers/sandbox.ts), against stand-in
// processes: the parent (with a child of its own that is not keepalived, as the dhcpd keepalived
// adopts) and the VRRP child, each with its pidfile in a private /run.
import { describe, expect, it } from "vitest";
import { keepalivedOps } from "../../src/ha/keepalived/ops.js";
import { inSandbox, type SandboxRun } from "../helpers/sandbox.js";

const inPrivateRun = (script: string): SandboxRun => inSandbox(script, { mountProc: true });

const SETUP = [
  "mount -t tmpfs none /run",
  // The "parent": a shell whose own child stands for the adopted dhcpd.
  "sh -c 'sleep 60 & echo $! > /run/dhcpd.pid; wait' & echo $! > /run/keepalived.pid",
  "sleep 60 & echo $! > /run/vrrp.pid",
  "sleep 0.2",
].join("\n");

/** A killed child of the test's shell stays a zombie (state Z) until reaped: that is gone too. */
const alive = (pidfile: string) =>
  `s=$(cut -d' ' -f3 /proc/$(cat ${pidfile})/stat 2>/dev/null); ` +
  `[ -n "$s" ] && [ "$s" != Z ] && echo ${pidfile} alive || echo ${pidfile} gone`;

describe("keepalivedOps.crash", () => {
  it("kills the parent and the VRRP child by their pidfiles, stamps the time, spares dhcpd", () => {
    const before = Date.now();
    const r = inPrivateRun(
      [
        SETUP,
        keepalivedOps.crash,
        "sleep 0.2",
        ...["/run/keepalived.pid", "/run/vrrp.pid", "/run/dhcpd.pid"].map(alive),
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    const [stamp, ...rest] = r.stdout.trim().split("\n");
    const atMs = Number(stamp) / 1e6;
    expect(atMs).toBeGreaterThanOrEqual(before);
    expect(atMs).toBeLessThanOrEqual(Date.now());
    expect(rest).toEqual([
      "/run/keepalived.pid gone",
      "/run/vrrp.pid gone",
      "/run/dhcpd.pid alive",
    ]);
    expect(inPrivateRun(SETUP + "\n" + keepalivedOps.runningProbe).code).toBe(0);
  });

  it("fails with exit 3 when keepalived left no pidfile", () => {
    const r = inPrivateRun(["mount -t tmpfs none /run", keepalivedOps.crash].join("\n"));
    expect(r.code).toBe(3);
  });
});
