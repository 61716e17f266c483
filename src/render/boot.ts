// The PXE boot chain's paths and arguments, shared by rendering (pxelinux configs) and apply
// (which copies the kernel and initrd from the install tree into the TFTP root).
import type { InstallSettings, Inventory } from "../inventory/types.js";
import type { ClientPlan } from "../topology/types.js";

/** Installer kernel and initrd inside a RHEL install tree. */
export const TREE_KERNEL = "images/pxeboot/vmlinuz";
export const TREE_INITRD = "images/pxeboot/initrd.img";

/**
 * Where apply puts that kernel and initrd, relative to the TFTP root (pxelinux resolves
 * KERNEL/initrd= paths against it): images/<install.path>/vmlinuz and .../initrd.img.
 */
export function bootFiles(install: InstallSettings): { kernel: string; initrd: string } {
  const dir = `images/${install.path}`;
  return { kernel: `${dir}/vmlinuz`, initrd: `${dir}/initrd.img` };
}

/**
 * Run on a server right after tftpd-hpa (re)starts: one throwaway read request to itself. It
 * arms the IP_PKTINFO option that makes tftpd reply from the address a request was sent to
 * (the VIP); the first request after a start is answered from the primary address instead,
 * which PXE firmware ignores. Measured with tftpd-hpa 5.2 in network namespaces: unprimed,
 * the first get via a secondary address times out; primed, gets via two VIPs (one added after
 * the start) both succeed. Needs bash (for /dev/udp).
 */
export const TFTP_PRIME_COMMAND: readonly string[] = [
  "bash",
  "-c",
  "printf '\\0\\1pxelinux.cfg/default\\0octet\\0' > /dev/udp/127.0.0.1/69",
];

/** URL of the install tree as seen through one VIP. */
export function treeUrl(inv: Inventory, vip: string): string {
  return `${inv.install.protocol}://${vip}/${inv.install.path}`;
}

/** The kernel command line of a client: `inst.ks=`/`inst.repo=` for RHEL 7+, `ks=` for legacy. */
export function appendLine(inv: Inventory, c: ClientPlan): string {
  const { initrd } = bootFiles(inv.install);
  const tree = treeUrl(inv, c.vip);
  const ks = `${tree}/${c.kickstartFile}`;
  if (inv.install.kickstart.target === "legacy") return `initrd=${initrd} ks=${ks}`;
  return `initrd=${initrd} inst.ks=${ks} inst.repo=${tree} ip=dhcp`;
}
