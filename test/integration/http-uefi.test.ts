// The modern clients end to end on a lab of its own with `install.protocol: http` and
// `install.uefi.secure_boot: false`: apply installs lighttpd and builds ksorch's unsigned GRUB
// network image, BIOS and x64 UEFI lab clients install over HTTP
// through each VIP, a stop-mode drill passes over HTTP, and real UEFI firmware (QEMU + OVMF)
// boots through GRUB in the order the lab clients emulate. Needs root and a built CLI; the VM
// test needs qemu-system-x86, ipxe-qemu and ovmf, and is reported as skipped without them.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrillResult } from "../../src/drill/types.js";
import { grubSearchOrder } from "../../src/lab/client/grub.js";
import { execInHost } from "../../src/lab/exec.js";
import { labPaths } from "../../src/lab/paths.js";
import {
  applyLab,
  freshLab,
  installClients,
  ksorch,
  planOf,
  removeLab,
  REPO,
  testLab,
} from "./helpers/lab.js";
import { bootVm } from "./helpers/vm.js";

const LAB = testLab("httpuefi");
let inventory: string;

const hasUefiVm = [
  "/usr/bin/qemu-system-x86_64",
  "/usr/share/OVMF/OVMF_CODE_4M.fd",
  "/usr/lib/ipxe/qemu/efi-e1000.rom",
].every((f) => existsSync(f));

describe("HTTP install source and UEFI clients", () => {
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "ksorch-httpuefi-"));
    process.env.KSORCH_SECRETS_DIR = join(dir, "secrets");
    const source = join(dir, "http.yaml");
    const lab = await readFile(join(REPO, "inventory/lab.yaml"), "utf8");
    expect(lab).toContain("protocol: ftp");
    expect(lab).toContain("secure_boot: true");
    // The unsigned GRUB of firmware without Secure Boot; secure-boot.test.ts runs the signed.
    await writeFile(
      source,
      lab
        .replace("protocol: ftp", "protocol: http")
        .replace("secure_boot: true", "secure_boot: false"),
    );
    await freshLab(LAB, ["--inventory", source, "--clients", "4"]);
    inventory = labPaths(LAB).inventory;
    await applyLab(inventory);
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("runs lighttpd next to vsftpd, with a config lighttpd itself accepts, and a GRUB EFI image", async () => {
    for (const server of ["server1", "server2"]) {
      const check = await execInHost(LAB, server, [
        "lighttpd",
        "-tt",
        "-f",
        "/etc/lighttpd/lighttpd.conf",
      ]);
      expect(check.exitCode, check.stderr).toBe(0);
      const procs = (await execInHost(LAB, server, ["ps", "-eo", "comm"])).stdout;
      expect(procs).toMatch(/^lighttpd$/m);
      expect(procs).toMatch(/^vsftpd$/m);
      // A PE image: what UEFI firmware loads.
      const efi = await execInHost(LAB, server, [
        "head",
        "-c",
        "2",
        "/srv/tftp/grub/ksorch-grubx64.efi",
      ]);
      expect(efi.stdout).toBe("MZ");
    }
  });

  it("installs BIOS and UEFI clients over HTTP through each VIP", async () => {
    const reports = await installClients(LAB, ["client1", "client2"]);
    const byName = new Map(reports.map((c) => [c.client, c]));
    // The plan lists the inventory's eight clients; the lab runs the first four.
    const plan = (await planOf(inventory)).filter((p) => byName.has(p.client));
    expect(plan).toHaveLength(4);
    for (const p of plan) {
      const c = byName.get(p.client);
      const uefi = p.client === "client1" || p.client === "client2";
      expect(c?.firmware).toBe(uefi ? "uefi" : "bios");
      expect(c?.lease?.bootFile).toBe(uefi ? "grub/ksorch-grubx64.efi" : "pxelinux.0");
      expect(c?.pxelinux.used).toBe(
        uefi ? `grub/grub.cfg-${p.pxelinuxFile}` : `pxelinux.cfg/${p.pxelinuxFile}`,
      );
      expect(c?.kickstartUrl).toMatch(new RegExp(`^http://${p.vip.replaceAll(".", "\\.")}/`));
      expect(c?.installUrl).toBe(`http://${p.vip}/pub/rh9`);
      expect(Object.keys(c?.bytesByServer ?? {})).toEqual([p.server]);
    }
    // Both VIPs served a UEFI client and a BIOS one.
    expect(new Set(plan.map((p) => p.vip)).size).toBe(2);
    const uefiVips = plan.filter((p) => byName.get(p.client)?.firmware === "uefi");
    expect(new Set(uefiVips.map((p) => p.vip)).size).toBe(2);
  });

  it("passes a stop-mode drill over HTTP: the survivor serves the failed server's clients", async () => {
    const r = await ksorch(["drill", "failover", inventory, "--yes", "--json", "--mode", "stop"]);
    const result = JSON.parse(r.stdout) as DrillResult;
    expect(result.verdict.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(r.code).toBe(0);
    const survivor = result.measurements.bytesByServer.find((b) => b.server === "server2");
    expect(survivor?.afterFault).toBeGreaterThan(0);
  });

  // Last: the VM takes client1's MAC, so the emulated client1 is unplugged for good.
  it.skipIf(!hasUefiVm)(
    "boots real UEFI firmware through GRUB: its config search as emulated, then the kernel",
    async () => {
      const [p] = await planOf(inventory);
      if (!p) throw new Error("no client in the plan");
      const { console: stdout, asked } = await bootVm(LAB, p, "uefi", "ksorch lab installer", 300);
      expect(stdout).toMatch(
        new RegExp(
          `ksorch lab installer: kernel 6\\.\\S+-amd64, command line: \\S+ ` +
            `inst\\.ks=http://${p.vip.replaceAll(".", "\\.")}/pub/rh9/`,
        ),
      );
      const configs = asked.filter((f) => f.includes("grub.cfg"));
      const order = grubSearchOrder("grub/ksorch-grubx64.efi", p.mac, p.ip);
      expect(asked[0]).toBe("grub/ksorch-grubx64.efi");
      expect(configs.slice(0, 2)).toEqual(order.slice(0, 2));
      expect(asked).toContain("images/pub/rh9/initrd.img");
    },
    400_000,
  );
});
