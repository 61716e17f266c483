// The PXE boot chain's paths and arguments, shared by rendering (pxelinux configs) and apply
// (which copies the kernel and initrd from the install tree into the TFTP root).
import type { InstallSettings, Inventory } from "../inventory/types.js";
import type { ClientPlan } from "../topology/types.js";

/** Installer kernel and initrd inside a RHEL install tree. */
export const TREE_KERNEL = "images/pxeboot/vmlinuz";
export const TREE_INITRD = "images/pxeboot/initrd.img";

/**
 * GRUB's folder below the TFTP root for UEFI clients. Its network image is built with the
 * prefix `/grub`, so GRUB looks for grub.cfg-01-<mac>, grub.cfg-<HEX-IP> (shortened a digit
 * at a time) and grub.cfg in this folder of the server it was loaded from.
 */
export const GRUB_DIR = "grub";

/** DHCP option 93 (client system architecture, RFC 4578) of x64 UEFI firmware: 7 and 9. */
export const UEFI_X64_ARCHES = [7, 9] as const;

export interface BootFiles {
  kernel: string;
  initrd: string;
  /** GRUB's network image for x64 UEFI clients (the DHCP boot file they get). */
  efi: string;
  /** The prefix that image is built with: the folder of `efi`, absolute. */
  grubPrefix: string;
}

/** The boot file DHCP hands a PXE client whose firmware reports one of `arches` (option 93). */
export interface ArchBootFile {
  /** What the firmware is, for comments in the rendered configuration. */
  what: string;
  arches: readonly number[];
  file: string;
}

/**
 * The boot file by client architecture, as both DHCP servers render it (dhcpd.conf's `if
 * option client-arch`, Kea's client classes): BIOS firmware, and any that sends no option 93,
 * gets pxelinux; each rule of `byArch` overrides it for its architectures.
 */
export function dhcpBootFiles(install: InstallSettings): {
  fallback: string;
  byArch: ArchBootFile[];
} {
  return {
    fallback: "pxelinux.0",
    byArch: [{ what: "x64 UEFI", arches: UEFI_X64_ARCHES, file: bootFiles(install).efi }],
  };
}

/**
 * Where apply puts that kernel and initrd, relative to the TFTP root (pxelinux resolves
 * KERNEL/initrd= paths against it): images/<install.path>/vmlinuz and .../initrd.img.
 */
export function bootFiles(install: InstallSettings): BootFiles {
  const dir = `images/${install.path}`;
  return {
    kernel: `${dir}/vmlinuz`,
    initrd: `${dir}/initrd.img`,
    efi: `${GRUB_DIR}/grubx64.efi`,
    grubPrefix: `/${GRUB_DIR}`,
  };
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

/** The installer's arguments: `inst.ks=`/`inst.repo=` for RHEL 7+, `ks=` for legacy. */
export function kernelArgs(inv: Inventory, c: ClientPlan): string {
  const tree = treeUrl(inv, c.vip);
  const ks = `${tree}/${c.kickstartFile}`;
  if (inv.install.kickstart.target === "legacy") return `ks=${ks}`;
  return `inst.ks=${ks} inst.repo=${tree} ip=dhcp`;
}

/** pxelinux's APPEND line: the initrd is one of the kernel's arguments there. */
export function appendLine(inv: Inventory, c: ClientPlan): string {
  return `initrd=${bootFiles(inv.install).initrd} ${kernelArgs(inv, c)}`;
}
