// kea-dhcp4's configuration (dhcp.server: kea): checked by the real `kea-dhcp4 -t`, the same
// reservations and boot files by architecture as dhcpd.conf, the HA hook between the servers.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { osLayout } from "../../src/inventory/layout.js";
import { parseInventory } from "../../src/inventory/load.js";
import type { Inventory } from "../../src/inventory/types.js";
import { bootFiles } from "../../src/render/boot.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE, labText } from "../inventory/fixture.js";
import { fileAt, renderAll } from "./fixture.js";

const KEA = "/usr/sbin/kea-dhcp4";
const KEA_LAB = join(LAB_FILE, "../lab-kea.yaml");
const debian = osLayout("debian", "kea");

/** Runs the real `kea-dhcp4 -t` on `content` (Debian's kea-dhcp4-server, scripts/setup.sh). */
function keaCheck(content: string): { code: number; output: string } {
  // No skip: setup.sh installs kea-dhcp4-server, and a missing one must fail loudly.
  expect(existsSync(KEA), `${KEA} (Debian package kea-dhcp4-server) is required`).toBe(true);
  const file = join(mkdtempSync(join(tmpdir(), "ksorch-kea-")), "kea-dhcp4.conf");
  writeFileSync(file, content);
  try {
    return {
      code: 0,
      output: execFileSync(KEA, ["-t", file], { encoding: "utf8", stdio: "pipe" }),
    };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

interface KeaDoc {
  Dhcp4: {
    "client-classes": { name: string; test: string; "boot-file-name": string }[];
    "hooks-libraries": { library: string; parameters?: { "high-availability": HaDoc[] } }[];
    subnet4: {
      reservations: { "hw-address": string; "ip-address": string; "next-server": string }[];
    }[];
  };
}
interface HaDoc {
  "this-server-name": string;
  mode: string;
  "heartbeat-delay": number;
  "max-response-delay": number;
  peers: { name: string; url: string; role: string }[];
}

const parse = (text: string): KeaDoc => JSON.parse(text.replace(/^\/\/.*\n/, "")) as KeaDoc;
const confOf = (inv: Inventory, server: string) =>
  fileAt(renderAll(inv).get(server) ?? [], debian.dhcp.keaConf).content;

describe("kea-dhcp4.conf", () => {
  const inv = parseInventory(
    labText().replace("install:", "dhcp: { server: kea }\ninstall:"),
    LAB_FILE,
  );
  const conf = confOf(inv, "server1");

  // Kea 2.2's -t parses the server's own configuration and opens every hook library, but does
  // not hand the HA hook its parameters: those meet the real kea-dhcp4 in the lab (kea.test.ts
  // of test/integration).
  it("is accepted by the real kea-dhcp4 -t, and rejected once broken", () => {
    const ok = keaCheck(conf);
    expect(ok.code, ok.output).toBe(0);
    expect(keaCheck(conf.replace('"valid-lifetime": 3600', '"valid-lifetime": "1h"')).code).toBe(1);
    const missing = keaCheck(conf.replace("libdhcp_ha.so", "libdhcp_nope.so"));
    expect(missing.output).toContain("libdhcp_nope.so");
    expect(missing.code).toBe(1);
  });

  it("reserves each client's IP by MAC, next-server its VIP, no pool", () => {
    const doc = parse(conf);
    const [subnet] = doc.Dhcp4.subnet4;
    const topo = planTopology(inv);
    expect(
      subnet?.reservations.map((r) => [r["hw-address"], r["ip-address"], r["next-server"]]),
    ).toEqual(topo.clients.map((c) => [c.mac, c.ip, c.vip]));
    expect(conf).toContain('"pools": []');
  });

  it("hands pxelinux.0 to BIOS and GRUB to x64 UEFI (option 93 = 7 or 9), as dhcpd.conf does", () => {
    const classes = parse(conf).Dhcp4["client-classes"];
    expect(classes.map((c) => [c.test, c["boot-file-name"]])).toEqual([
      ["option[93].hex == 0x0007 or option[93].hex == 0x0009", bootFiles(inv.install).efi],
      ["not ((option[93].hex == 0x0007 or option[93].hex == 0x0009))", "pxelinux.0"],
    ]);
  });

  it("loads the HA hook in hot-standby: server1 primary, server2 standby, on their LAN addresses", () => {
    for (const me of ["server1", "server2"]) {
      const hooks = parse(confOf(inv, me)).Dhcp4["hooks-libraries"];
      expect(hooks.map((h) => h.library)).toEqual([
        `${debian.dhcp.keaHooks}/libdhcp_lease_cmds.so`,
        `${debian.dhcp.keaHooks}/libdhcp_ha.so`,
      ]);
      const [ha] = hooks[1]?.parameters?.["high-availability"] ?? [];
      expect(ha?.["this-server-name"]).toBe(me);
      expect(ha?.peers).toEqual([
        {
          name: "server1",
          url: "http://192.168.0.1:8001/",
          role: "primary",
          "auto-failover": true,
        },
        {
          name: "server2",
          url: "http://192.168.0.2:8001/",
          role: "standby",
          "auto-failover": true,
        },
      ]);
      // The lab's deadtime is 500 ms: a heartbeat each, the partner down after two.
      expect([ha?.["heartbeat-delay"], ha?.["max-response-delay"]]).toEqual([500, 1000]);
    }
  });

  it("with three servers in load-balancing: primary, secondary, and a backup (Kea pairs two)", () => {
    const three = parseInventory(
      readLab3().replace("install:", "dhcp: { server: kea, ha_mode: load-balancing }\ninstall:"),
      join(LAB_FILE, "../lab3.yaml"),
    );
    const c = confOf(three, "server3");
    const check = keaCheck(c);
    expect(check.code, check.output).toBe(0);
    const [ha] = parse(c).Dhcp4["hooks-libraries"][1]?.parameters?.["high-availability"] ?? [];
    expect(ha?.mode).toBe("load-balancing");
    expect(ha?.peers.map((p) => p.role)).toEqual(["primary", "secondary", "backup"]);
  });

  it("the lab's Kea inventory renders a configuration kea-dhcp4 accepts on both servers", () => {
    const lab = parseInventory(readFile(KEA_LAB), KEA_LAB);
    expect(lab.dhcp).toMatchObject({ server: "kea", haMode: "hot-standby" });
    for (const s of ["server1", "server2"]) {
      const r = keaCheck(confOf(lab, s));
      expect(r.code, r.output).toBe(0);
    }
  });
});

const readFile = (f: string) => readFileSync(f, "utf8");
const readLab3 = () => readFile(join(LAB_FILE, "../lab3.yaml"));
