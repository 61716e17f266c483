// Real PXE firmware on the lab's LAN: a QEMU PC (SeaBIOS + iPXE) boots the install tree's
// kernel and initrd from a server configured by hand, through dhcpd, tftpd-hpa and pxelinux.
// Proves the tree's boot files are real and that a VM can attach to the LAN that `lab status`
// names. Needs qemu-system-x86 and ipxe-qemu: without them the test is reported as skipped.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cutLink } from "../../src/lab/faults.js";
import type { LabStatus } from "../../src/lab/status.js";
import { configureInstallServerByHand } from "./helpers/install-server.js";
import { freshLab, removeLab, REPO, testLab } from "./helpers/lab.js";

const LAB = testLab("vmlab");
const QEMU = "/usr/bin/qemu-system-x86_64";
const hasQemu = existsSync(QEMU) && existsSync("/usr/lib/ipxe/qemu/pxe-e1000.rom");

describe.skipIf(!hasQemu)("real PXE firmware on the lab LAN", () => {
  let status: LabStatus;
  beforeAll(async () => {
    status = await freshLab(LAB, ["--clients", "1"]);
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("boots the tree's kernel and initrd with the kickstart on its command line", async () => {
    await configureInstallServerByHand(LAB, "server1", {
      pxelinuxFile: "default",
      treePath: "pub/rh9",
    });
    // The VM takes client1's MAC (the one dhcpd knows): unplug the emulated client1 first.
    const client = status.clients[0];
    if (!client) throw new Error("no client");
    await cutLink(LAB, client.name, "eth0");
    const r = await promisify(execFile)(
      join(REPO, "scripts/lab-pxe-vm.sh"),
      [LAB, client.mac, "ksorch lab installer", "150"],
      { maxBuffer: 16 << 20 },
    );
    expect(r.stdout).toMatch(
      /ksorch lab installer: kernel 6\.\S+-amd64, command line: .*initrd=rh9\/initrd\.img inst\.ks=ftp:\/\/192\.168\.0\.1\/pub\/ks\/ks\.cfg/,
    );
  });
});
