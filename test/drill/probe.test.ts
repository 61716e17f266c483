import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localManifest } from "../../src/drill/manifest.js";
import { parseProbe, probeCommand } from "../../src/drill/probe.js";

const dir = mkdtempSync(join(tmpdir(), "ksorch-probe-"));
mkdirSync(join(dir, "images", "pxeboot"), { recursive: true });
writeFileSync(join(dir, "images", "pxeboot", "vmlinuz"), "kernel".repeat(100));
writeFileSync(join(dir, "a file with spaces.rpm"), "x");
writeFileSync(join(dir, "Zeta"), "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The probe runs here exactly as it would on a server (it only reads).
const runLocally = (cmd: string): string => execFileSync("sh", ["-c", cmd], { encoding: "utf8" });

describe("probe", () => {
  it("reads the clock, addresses, links and services of the host it runs on", () => {
    const before = Date.now();
    const p = parseProbe(runLocally(probeCommand("true", join(dir, "absent"))));
    expect(p.atMs).toBeGreaterThanOrEqual(before - 1);
    expect(p.atMs).toBeLessThanOrEqual(Date.now() + 1);
    expect(p.addrs.some((a) => a.address === "127.0.0.1" && a.ifname === "lo")).toBe(true);
    expect(p.links.some((l) => l.ifname === "lo")).toBe(true);
    expect(p.running.ha).toBe(true);
    expect(p.tree).toBeUndefined();
    expect(parseProbe(runLocally(probeCommand("false", dir))).running.ha).toBe(false);
  });

  it("computes the same tree manifest on the server as locally, and a different one after a change", async () => {
    const remote = parseProbe(runLocally(probeCommand("true", dir))).tree;
    expect(remote).toEqual(await localManifest(dir));
    expect(remote?.files).toBe(3);
    writeFileSync(join(dir, "Zeta"), "now longer");
    expect((await localManifest(dir))?.digest).not.toBe(remote?.digest);
  });

  it("parses a canned answer", () => {
    const p = parseProbe(
      [
        "@time",
        "1795788734536619000",
        "+0100",
        "@addr",
        "2: eth0    inet 192.168.0.253/24 brd 192.168.0.255 scope global secondary eth0:0\\       valid_lft forever preferred_lft forever",
        "@link",
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff",
        "@svc",
        "dhcp",
        "ftp",
        "@tree",
      ].join("\n"),
    );
    expect(p.atMs).toBeCloseTo(1795788734536.619, 2);
    expect(p.utcOffsetMinutes).toBe(60);
    expect(p.addrs[0]?.label).toBe("eth0:0");
    expect(p.links[0]).toEqual({ ifname: "eth0", carrier: true, mac: "02:00:00:00:01:01" });
    expect(p.running).toEqual({ dhcp: true, tftp: false, ftp: true, ha: false });
  });
});
