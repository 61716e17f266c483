// Rendering of the two modern clients: GRUB configs and the DHCP architecture switch for UEFI
// firmware, lighttpd for `install.protocol: http`.
import { describe, expect, it } from "vitest";
import { osLayout } from "../../src/inventory/layout.js";
import { parseInventory } from "../../src/inventory/load.js";
import { grubSearchOrder, parseGrubConfig } from "../../src/lab/client/grub.js";
import { kickstartUrl, parsePxelinuxConfig } from "../../src/lab/client/pxelinux.js";
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
  const conf = fileAt(server1, debian.dhcp.dhcpdConf).content;
  const { efi, kernel, initrd } = bootFiles(ftpInv.install);

  it("get GRUB's image from dhcpd when option 93 says x64 UEFI, pxelinux.0 otherwise", () => {
    expect(conf).toContain("option client-arch code 93 = unsigned integer 16;");
    for (const c of topo.clients) {
      const block = new RegExp(
        `host ${c.client} \\{[^}]*filename "pxelinux\\.0";\\s*` +
          `if option client-arch = 00:07 or option client-arch = 00:09 \\{\\s*` +
          `filename "${efi}";\\s*\\}`,
      );
      expect(conf).toMatch(block);
    }
    expect(efi).toBe("grub/grubx64.efi");
    expect(dhcpdCheck(conf).code).toBe(0);
  });

  it("find their own grub.cfg first in GRUB's search order, booting the same chain as BIOS", () => {
    const paths = new Set(server1.map((f) => f.path));
    for (const c of topo.clients) {
      const order = grubSearchOrder(efi, c.mac, c.ip).map((p) => `${debian.tftpRoot}/${p}`);
      const found = order.find((p) => paths.has(p));
      expect(found).toBe(`${debian.tftpRoot}/grub/grub.cfg-${c.pxelinuxFile}`);
      const grub = parseGrubConfig(fileAt(server1, found ?? "").content);
      const bios = parsePxelinuxConfig(
        fileAt(server1, `${debian.tftpRoot}/pxelinux.cfg/${c.pxelinuxFile}`).content,
      );
      expect(grub).toMatchObject({ kernel: `/${kernel}`, initrd: `/${initrd}` });
      expect(kickstartUrl(grub?.append ?? "")).toBe(`ftp://${c.vip}/pub/rh9/${c.kickstartFile}`);
      // The same installer arguments; only pxelinux carries the initrd among them.
      expect(`initrd=${initrd} ${grub?.append}`).toBe(bios?.append);
    }
  });

  it("fall back to a grub.cfg that installs nothing, tagged for the grub config task", () => {
    const fallback = fileAt(server1, `${debian.tftpRoot}/grub/grub.cfg`);
    expect(parseGrubConfig(fallback.content)).toBeUndefined();
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
      expect(kickstartUrl(parsePxelinuxConfig(pxe)?.append ?? "")).toBe(ks);
      expect(kickstartUrl(parseGrubConfig(grub)?.append ?? "")).toBe(ks);
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
