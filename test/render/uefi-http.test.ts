// Rendering of the two modern clients: GRUB configs and the DHCP architecture switch for UEFI
// firmware, lighttpd for `install.protocol: http`.
import { describe, expect, it } from "vitest";
import { osLayout } from "../../src/inventory/layout.js";
import { parseInventory } from "../../src/inventory/load.js";
import { grubConfigfileFor, parseGrubConfig, uefiChain } from "../../src/lab/client/grub.js";
import { kickstartUrls, parsePxelinuxConfig } from "../../src/lab/client/pxelinux.js";
import { bootFiles } from "../../src/render/boot.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE, labWith } from "../inventory/fixture.js";
import { dhcpdCheck, fileAt, labInventory, renderAll } from "./fixture.js";

const debian = osLayout("debian", "isc");
const ftpInv = labInventory();
const httpInv = parseInventory(labWith(["protocol: ftp", "protocol: http"]), LAB_FILE);

describe("UEFI clients", () => {
  const topo = planTopology(ftpInv);
  const server1 = renderAll(ftpInv).get("server1") ?? [];
  const paths = new Set(server1.map((f) => f.path));
  const conf = fileAt(server1, debian.dhcp.dhcpdConf).content;
  const { efi, kernel, initrd } = bootFiles(ftpInv.install);
  const unsignedInv = parseInventory(
    labWith(["secure_boot: true", "secure_boot: false"]),
    LAB_FILE,
  );
  const unsigned = bootFiles(unsignedInv.install);

  /** The config a client's GRUB ends up reading, as the lab's UEFI clients look for it. */
  function configOf(files: typeof server1, bootFile: string, mac: string, ip: string) {
    const have = new Set(files.map((f) => f.path));
    const found = uefiChain(bootFile, mac, ip).configs.find((p) =>
      have.has(`${debian.tftpRoot}/${p}`),
    );
    const text = fileAt(files, `${debian.tftpRoot}/${found ?? ""}`).content;
    const next = grubConfigfileFor(text, ip);
    return { found, next, entry: next ? undefined : parseGrubConfig(text) };
  }

  it("get the signed shim from dhcpd when option 93 says x64 UEFI, pxelinux.0 otherwise", () => {
    expect(conf).toContain("option client-arch code 93 = unsigned integer 16;");
    for (const c of topo.clients) {
      // Only BIOS firmware is told "PXEClient": EDK2's UEFI PXE would wait for a BINL server.
      const block = new RegExp(
        `host ${c.client} \\{[^}]*` +
          `if option client-arch = 00:07 or option client-arch = 00:09 \\{\\s*` +
          `filename "${efi}";\\s*\\} else \\{\\s*filename "pxelinux\\.0";` +
          `(\\s*#[^\\n]*)*\\s*option vendor-class-identifier "PXEClient";` +
          // pxelinux's reboot time, sent although the ROM does not ask for option 211 (d3).
          `\\s*option pxelinux-reboottime 10;(\\s*#[^\\n]*)*` +
          `\\s*if exists dhcp-parameter-request-list \\{` +
          `\\s*option dhcp-parameter-request-list = concat\\(option dhcp-parameter-request-list, d3\\);` +
          `\\s*\\}\\s*\\}\\s*\\}`,
      );
      expect(conf).toMatch(block);
    }
    expect(efi).toBe("grub/shimx64.efi");
    expect(dhcpdCheck(conf).code).toBe(0);
  });

  it("get ksorch's unsigned GRUB image instead with install.uefi.secure_boot: false", () => {
    const files = renderAll(unsignedInv).get("server1") ?? [];
    const unsignedConf = fileAt(files, debian.dhcp.dhcpdConf).content;
    expect(unsigned.efi).toBe("grub/ksorch-grubx64.efi");
    expect(unsignedConf).toContain(`filename "${unsigned.efi}";`);
    expect(unsignedConf).not.toContain("shimx64.efi");
    // The signed GRUB must keep the name shim asks for; the unsigned one must not take it.
    expect(unsigned.signedGrub).toBe("grub/grubx64.efi");
    expect(unsigned.unsignedGrub).not.toBe(unsigned.signedGrub);
  });

  it("through shim reach Debian's signed GRUB, whose grub.cfg sends each client to its own file", () => {
    for (const c of topo.clients) {
      expect(uefiChain(efi, c.mac, c.ip).secondStage).toBe("grub/grubx64.efi");
      const { found, next } = configOf(server1, efi, c.mac, c.ip);
      expect(found).toBe("grub/grub.cfg");
      expect(next).toBe(`/grub/grub.cfg-${c.pxelinuxFile}`);
      expect(paths.has(`${debian.tftpRoot}${next ?? ""}`)).toBe(true);
    }
  });

  it("find their own grub.cfg first with ksorch's GRUB image, booting the same chain as BIOS", () => {
    const files = renderAll(unsignedInv).get("server1") ?? [];
    for (const c of topo.clients) {
      const { found, next, entry } = configOf(files, unsigned.efi, c.mac, c.ip);
      expect(found).toBe(`grub/grub.cfg-${c.pxelinuxFile}`);
      expect(next).toBeUndefined();
      const bios = parsePxelinuxConfig(
        fileAt(files, `${debian.tftpRoot}/pxelinux.cfg/${c.pxelinuxFile}`).content,
      );
      expect(entry).toMatchObject({ kernel: `/${kernel}`, initrd: `/${initrd}` });
      expect(kickstartUrls(entry?.append ?? "")).toEqual(
        [c.vip, c.backupVip].map((v) => `ftp://${v}/pub/rh9/${c.kickstartFile}`),
      );
      // The same installer arguments; only pxelinux carries the initrd among them.
      expect(`initrd=${initrd} ${entry?.append}`).toBe(bios?.append);
      // If the files cannot be had from the VIP, GRUB takes them from the backup's own VIP.
      expect(entry?.fallback).toMatchObject({
        kernel: `(tftp,${c.backupVip})/${kernel}`,
        initrd: `(tftp,${c.backupVip})/${initrd}`,
        append: entry?.append,
      });
    }
  });

  it("boot nothing from grub.cfg when their address is unknown; the files are tagged grub", () => {
    const fallback = fileAt(server1, `${debian.tftpRoot}/grub/grub.cfg`).content;
    expect(grubConfigfileFor(fallback, "192.168.0.200")).toBeUndefined();
    expect(parseGrubConfig(fallback)).toBeUndefined();
    const grubFiles = server1.filter((f) => f.tag === "grub");
    expect(grubFiles).toHaveLength(topo.clients.length + 1);
    expect(grubFiles.every((f) => f.path.startsWith(`${debian.tftpRoot}/grub/`))).toBe(true);
  });
});

describe("HTTP install source", () => {
  const server1 = renderAll(httpInv).get("server1") ?? [];
  const topo = planTopology(httpInv);

  it("is lighttpd on every address with the FTP root as its document root", () => {
    const f = fileAt(server1, debian.http.path);
    expect(f.tag).toBe("http");
    expect(f.secret).toBe(false);
    expect(f.content).toContain(`server.document-root = "${debian.ftpRoot}"`);
    expect(f.content).toMatch(/^server\.port = 80$/m);
    expect(f.content).not.toMatch(/^server\.bind/m);
    // Debian's own config needs perl (include_shell); ours must not.
    expect(f.content).not.toMatch(/^\s*include_shell/m);
  });

  it("puts http:// URLs in the boot configs and the kickstart files", () => {
    for (const c of topo.clients) {
      const pxe = fileAt(server1, `${debian.tftpRoot}/pxelinux.cfg/${c.pxelinuxFile}`).content;
      const grub = fileAt(server1, `${debian.tftpRoot}/grub/grub.cfg-${c.pxelinuxFile}`).content;
      const ks = `http://${c.vip}/pub/rh9/${c.kickstartFile}`;
      const sources = [ks, `http://${c.backupVip}/pub/rh9/${c.kickstartFile}`];
      expect(kickstartUrls(parsePxelinuxConfig(pxe)?.append ?? "")).toEqual(sources);
      expect(kickstartUrls(parseGrubConfig(grub)?.append ?? "")).toEqual(sources);
      const kickstart = fileAt(server1, `${debian.ftpRoot}/pub/rh9/${c.kickstartFile}`).content;
      expect(kickstart).toContain(`url --url=http://${c.vip}/pub/rh9`);
    }
  });

  it("keeps FTP serving the same tree, and adds no lighttpd for protocol ftp", () => {
    expect(fileAt(server1, debian.vsftpdConf).content).toContain(`anon_root=${debian.ftpRoot}`);
    const ftpServer1 = renderAll(ftpInv).get("server1") ?? [];
    expect(ftpServer1.some((f) => f.path === debian.http.path)).toBe(false);
    expect(ftpServer1.some((f) => f.tag === "http")).toBe(false);
  });
});
