// `os:` forms, the release rules checked at validate time, and the host-facts check of apply.
import { describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { hostOsMismatch } from "../../src/inventory/os-checks.js";
import type { Server } from "../../src/inventory/types.js";
import { parseFacts } from "../../src/modules/facts/facts.js";
import { RELEASES, factsOutput, type RecordedRelease } from "../fixtures/redhat.js";
import { LAB_FILE, byField, diagnosticsOf, labWith, lineOf } from "./fixture.js";

/** The lab inventory with both servers' `os: debian` replaced, and other edits. */
function labOs(os: string, ...edits: [string, string][]): string {
  return labWith(["os: debian", `os: ${os}`], ["os: debian", `os: ${os}`], ...edits);
}
function keepalivedLab(os: string, ...edits: [string, string][]): string {
  const text = labOs(os, ["engine: heartbeat", "engine: keepalived"], ...edits);
  return text.replace(/^ {2}# Run by a survivor[\s\S]*?\[ "\$reply" = off \]'\n/m, "");
}

describe("os", () => {
  it.each([
    ["debian", { os: "debian" }],
    ["rhel", { os: "rhel" }],
    ["rhel8", { os: "rhel", release: 8 }],
    ["rhel9", { os: "rhel", release: 9 }],
    ["rhel10", { os: "rhel", release: 10 }],
    ["{ family: rhel, release: 9 }", { os: "rhel", release: 9 }],
    ["{ family: debian }", { os: "debian" }],
  ])("os: %s", (os, expected) => {
    const inv = parseInventory(keepalivedLab(os), LAB_FILE);
    for (const s of inv.servers) {
      expect(s.os).toBe(expected.os);
      expect(s.release).toBe("release" in expected ? expected.release : undefined);
    }
  });

  it("rejects an unknown name and a release for Debian, at their lines", () => {
    const bad = keepalivedLab("rhel7");
    const d = byField(diagnosticsOf(bad), "servers.server1.os");
    expect(d.line).toBe(lineOf(bad, "os: rhel7"));
    expect(d.hint).toContain("rhel10");
    const deb = keepalivedLab("{ family: debian, release: 9 }");
    expect(byField(diagnosticsOf(deb), "servers.server1.os.release").message).toContain(
      "Red Hat family only",
    );
  });

  it("refuses heartbeat on every Red Hat release, naming keepalived, at ha.engine", () => {
    for (const os of ["rhel", "rhel8", "rhel9", "rhel10", "{ family: rhel, release: 9 }"]) {
      const text = labOs(os, ["protocol: ftp", "protocol: ftp"]);
      const diags = diagnosticsOf(text);
      const d = byField(diags, "ha.engine");
      expect(d.line).toBe(lineOf(text, "engine: heartbeat"));
      expect(d.message).toContain("heartbeat is not packaged");
      expect(d.hint).toContain("keepalived");
    }
  });

  it("defaults to keepalived on Red Hat, heartbeat on Debian", () => {
    const rhel = parseInventory(
      keepalivedLab("rhel9").replace("  engine: keepalived\n", ""),
      LAB_FILE,
    );
    expect(rhel.ha.engine).toBe("keepalived");
    expect(parseInventory(labWith(), LAB_FILE).ha.engine).toBe("heartbeat");
  });

  it("chooses Kea on RHEL 10 and refuses ISC's dhcpd there", () => {
    expect(parseInventory(keepalivedLab("rhel10"), LAB_FILE).dhcp.server).toBe("kea");
    expect(parseInventory(keepalivedLab("rhel9"), LAB_FILE).dhcp.server).toBe("isc");
    const text = keepalivedLab("rhel10").replace("servers:", "dhcp: { server: isc }\nservers:");
    const d = byField(diagnosticsOf(text), "dhcp.server");
    expect(d.message).toContain("RHEL 10 ships no ISC dhcp-server");
    expect(d.hint).toContain("kea");
  });
});

describe("a host's facts against its inventory entry", () => {
  const facts = (name: string) => parseFacts(factsOutput(RELEASES[name] as RecordedRelease)).os;
  const inv = (os: string, dhcp = "") =>
    parseInventory(keepalivedLab(os).replace("install:", `${dhcp}install:`), LAB_FILE);
  const server1 = (i: ReturnType<typeof inv>) => i.servers[0] as Server;

  it.each(Object.entries(RELEASES))("%s fits os: its release, and a bare rhel", (name, r) => {
    const named = inv(r.os);
    expect(hostOsMismatch(named, server1(named), facts(name))).toBeUndefined();
    const bare = inv("rhel", r.os === "rhel10" ? "dhcp: { server: kea }\n" : "");
    expect(hostOsMismatch(bare, server1(bare), facts(name))).toBeUndefined();
  });

  it("says what the host runs when the release or family differ", () => {
    const nine = inv("rhel9");
    expect(hostOsMismatch(nine, server1(nine), facts("RHEL 8.10"))).toBe(
      "the inventory says os: rhel9, the host runs Red Hat Enterprise Linux 8.10 (Ootpa) (rhel 8.10)",
    );
    const deb = parseInventory(labWith(), LAB_FILE);
    expect(hostOsMismatch(deb, server1(deb), facts("Rocky 9.4"))).toContain(
      "the inventory says os: debian, the host runs Rocky Linux 9.4 (Blue Onyx)",
    );
  });

  it("refuses ISC's dhcpd on a RHEL 10 host the inventory left unnamed", () => {
    const bare = inv("rhel");
    expect(hostOsMismatch(bare, server1(bare), facts("AlmaLinux 10.0"))).toContain(
      "ships no ISC dhcp-server: set dhcp.server: kea",
    );
  });

  it("refuses a Red Hat release ksorch does not know", () => {
    const seven = parseFacts(
      factsOutput({
        ...(RELEASES["RHEL 8.10"] as RecordedRelease),
        osRelease: 'ID="rhel"\nVERSION_ID="7.9"\n',
      }),
    ).os;
    const bare = inv("rhel");
    expect(hostOsMismatch(bare, server1(bare), seven)).toContain(
      "ksorch knows Red Hat releases 8, 9, 10",
    );
  });
});
