// Secure Boot clients on a lab of its own (the lab inventory: install.uefi.secure_boot is
// true): apply installs Debian's signed shim and signed network GRUB, emulated UEFI clients
// install through shim's chain to each VIP, and real firmware with Secure Boot on and
// Microsoft's keys enrolled (QEMU + OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.ms.fd) boots through
// shim and GRUB to the tree's signed kernel, which reports Secure Boot on. Needs root and a
// built CLI; the VM test needs qemu-system-x86 and ovmf, and is reported as skipped without.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { osLayout } from "../../src/inventory/layout.js";
import { grubConfigfileFor, uefiChain } from "../../src/lab/client/grub.js";
import { execInHost } from "../../src/lab/exec.js";
import { labPaths } from "../../src/lab/paths.js";
import { applyLab, freshLab, installClients, planOf, removeLab, testLab } from "./helpers/lab.js";
import { bootVm } from "./helpers/vm.js";

const LAB = testLab("secboot");
const TFTP = "/srv/tftp";
const { signedEfi } = osLayout("debian", "isc");
let inventory: string;

const hasSecureBootVm = [
  "/usr/bin/qemu-system-x86_64",
  "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
  "/usr/share/OVMF/OVMF_VARS_4M.ms.fd",
].every((f) => existsSync(f));

const plan = async () => (await planOf(inventory)).slice(0, 2);

describe("Secure Boot UEFI clients", () => {
  beforeAll(async () => {
    await freshLab(LAB, ["--clients", "2"]);
    inventory = labPaths(LAB).inventory;
    await applyLab(inventory);
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("serves the packages' own signed shim and GRUB, and builds no unsigned image", async () => {
    for (const server of ["server1", "server2"]) {
      const run = (argv: string[]) => execInHost(LAB, server, argv);
      const same = async (a: string, b: string) => (await run(["cmp", a, b])).exitCode;
      expect(await same(`${TFTP}/grub/shimx64.efi`, signedEfi.shim)).toBe(0);
      expect(await same(`${TFTP}/grub/grubx64.efi`, signedEfi.grub)).toBe(0);
      // Who signed them, as the signatures embedded in the PE files name it.
      const signer = (file: string, name: string) => run(["grep", "-c", name, file]);
      expect((await signer(signedEfi.shim, "Microsoft Corporation UEFI CA")).exitCode).toBe(0);
      expect((await signer(signedEfi.grub, "Debian Secure Boot Signer")).exitCode).toBe(0);
      expect((await run(["test", "-e", `${TFTP}/grub/ksorch-grubx64.efi`])).exitCode).toBe(1);
    }
  });

  it("installs emulated UEFI clients through shim, GRUB and grub.cfg to each VIP", async () => {
    const reports = await installClients(LAB, ["client1", "client2"]);
    const rows = await plan();
    for (const p of rows) {
      const c = reports.find((x) => x.client === p.client);
      expect(c?.lease?.bootFile).toBe("grub/shimx64.efi");
      expect(c?.loaders).toEqual(["grub/shimx64.efi", "grub/grubx64.efi"]);
      expect(c?.pxelinux).toEqual({
        tried: ["grub/grub.cfg", `grub/grub.cfg-${p.pxelinuxFile}`],
        used: `grub/grub.cfg-${p.pxelinuxFile}`,
      });
      expect(c?.kickstartUrl).toMatch(new RegExp(`^ftp://${p.vip.replaceAll(".", "\\.")}/`));
    }
    // Odd and even addresses: one client per VIP.
    expect(new Set(rows.map((p) => p.vip)).size).toBe(2);
  });

  // Last: the VM takes client1's MAC, so the emulated client1 is unplugged for good.
  it.skipIf(!hasSecureBootVm)(
    "boots Secure Boot firmware through shim and GRUB to the signed kernel, Secure Boot on",
    async () => {
      const [p] = await plan();
      if (!p) throw new Error("no client in the plan");
      const started = Date.now();
      // It stops as soon as the kernel reports Secure Boot, early in its start: under TCG
      // the rest of the kernel's boot would add minutes and prove nothing more.
      const { console: stdout, asked } = await bootVm(
        LAB,
        p,
        "secureboot",
        "secureboot: Secure boot enabled",
        900,
      );
      console.log(
        `secure boot VM: the kernel reported Secure Boot after ${Date.now() - started} ms`,
      );
      // shim, loaded by the firmware, fetched GRUB beside itself and verified it.
      expect(stdout).toContain("Fetching Netboot Image grub/grubx64.efi");
      // The kernel, verified by GRUB through shim, with the command line of the client's own
      // config (its VIP), sees the firmware's Secure Boot on and locks itself down.
      expect(stdout).toMatch(
        new RegExp(
          `Command line: BOOT_IMAGE=/images/pub/rh9/vmlinuz ` +
            `inst\\.ks=ftp://${p.vip.replaceAll(".", "\\.")}/pub/rh9/\\S+ `,
        ),
      );
      expect(stdout).toMatch(/Kernel is locked down from EFI Secure Boot/);
      expect(stdout).toMatch(/secureboot: Secure boot enabled/);
      // The requests on the wire are the chain the emulated clients follow, in order. Firmware
      // asks for its boot file twice (size, then data); shim 16 also asks for optional files
      // of its own beside itself (revocations_sbat.efi, ...), and GRUB's normal mode for its
      // optional module lists ($prefix/x86_64-efi/command.lst, fs.lst, ...): none are there.
      const files = [...new Set(asked)];
      const chain = uefiChain("grub/shimx64.efi", p.mac, p.ip);
      const cfg = await execInHost(LAB, "server1", ["cat", `${TFTP}/grub/grub.cfg`]);
      const own = grubConfigfileFor(cfg.stdout, p.ip)?.replace(/^\//, "");
      const expected = [
        "grub/shimx64.efi",
        chain.secondStage,
        ...chain.configs,
        own,
        "images/pub/rh9/vmlinuz",
        "images/pub/rh9/initrd.img",
      ];
      const shimOwn = files.filter((f) => !expected.includes(f));
      expect(files.filter((f) => expected.includes(f))).toEqual(expected);
      const optional = (f: string) =>
        (f.startsWith("grub/") && f.endsWith(".efi")) || /^grub\/x86_64-efi\/\w+\.lst$/.test(f);
      expect(shimOwn.filter((f) => !optional(f))).toEqual([]);
    },
    1_000_000,
  );
});
