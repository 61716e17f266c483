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
    const p = parseProbe(
      runLocally(probeCommand("true", { dir: join(dir, "absent"), exclude: [] })),
    );
    expect(p.atMs).toBeGreaterThanOrEqual(before - 1);
    expect(p.atMs).toBeLessThanOrEqual(Date.now() + 1);
    expect(p.addrs.some((a) => a.address === "127.0.0.1" && a.ifname === "lo")).toBe(true);
    expect(p.links.some((l) => l.ifname === "lo")).toBe(true);
    expect(p.running.ha).toBe(true);
    expect(p.tree).toBeUndefined();
    expect(p.treeMissing).toBe(true);
    expect(parseProbe(runLocally(probeCommand("true"))).treeMissing).toBe(false);
    expect(parseProbe(runLocally(probeCommand("false"))).running.ha).toBe(false);
  });

  it("computes the same tree manifest on the server as locally, and a different one after a change", async () => {
    const local = await localManifest(dir);
    // The kickstart files apply renders into the tree are not part of the source.
    writeFileSync(join(dir, "ksodd.cfg"), "url --url ftp://192.168.0.253/pub/rh9\n");
    const remote = parseProbe(
      runLocally(probeCommand("true", { dir, exclude: ["ksodd.cfg"] })),
    ).tree;
    expect(remote).toEqual(local);
    expect(remote?.files).toBe(3);
    expect(parseProbe(runLocally(probeCommand("true", { dir, exclude: [] }))).tree?.files).toBe(4);
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
    expect(p.running).toEqual({ dhcp: true, tftp: false, ftp: true, guard: false, ha: false });
  });
});
