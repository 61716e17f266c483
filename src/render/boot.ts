// The PXE boot chain's paths and arguments, shared by rendering (pxelinux configs) and apply
// (which copies the kernel and initrd from the install tree into the TFTP root).
import type { InstallSettings, Inventory } from "../inventory/types.js";
import type { ClientPlan } from "../topology/types.js";
import { quote } from "../transport/quote.js";

/** Installer kernel and initrd inside a RHEL install tree. */
export const TREE_KERNEL = "images/pxeboot/vmlinuz";
export const TREE_INITRD = "images/pxeboot/initrd.img";

/**
 * GRUB's folder below the TFTP root for UEFI clients, and every boot file of theirs:
 * - ksorch's own image (unsigned) is built with the prefix `/grub`, so GRUB looks for
 *   grub.cfg-01-<mac>, grub.cfg-<HEX-IP> (shortened a digit at a time) and grub.cfg here;
 * - Debian's signed network image (grubnetx64.efi) has the same built-in prefix, `/grub`, but
 *   reads only $prefix/grub.cfg over TFTP (its built-in config would prefer
 *   $prefix/x86_64-efi/grub.cfg, but its `test -e` cannot see files on a TFTP server; grub2
 *   2.06-13 debian/build-efi-images), so grub.cfg sends each client to its own file;
 * - Red Hat's signed GRUB searches like ksorch's image, in the folder it was loaded from
 *   (Oracle Linux 7 Installation Guide, "Boot Loader Configuration for UEFI-Based PXE
 *   Clients"; not run in ksorch's tests).
 */
export const GRUB_DIR = "grub";

/**
 * The name signed shim loads its second stage by: DEFAULT_LOADER (`\grubx64.efi`) in the
 * folder of the DHCP boot file shim came as, from the same TFTP server (next-server):
 * parseDhcp4() in shim's netboot.c. So the signed GRUB must sit beside shim under this name.
 */
export const SHIM_SECOND_STAGE = "grubx64.efi";

/** DHCP option 93 (client system architecture, RFC 4578) of x64 UEFI firmware: 7 and 9. */
export const UEFI_X64_ARCHES = [7, 9] as const;

export interface BootFiles {
  kernel: string;
  initrd: string;
  /**
   * The DHCP boot file of x64 UEFI clients: the signed shim (install.uefi.secureBoot) or
   * ksorch's unsigned GRUB image. Both sit in GRUB's folder.
   */
  efi: string;
  /** The signed chain: shim and, beside it under the name shim loads, the signed GRUB. */
  shim: string;
  signedGrub: string;
  /** ksorch's own GRUB image, built on the server (no Secure Boot). */
  unsignedGrub: string;
  /** The prefix GRUB reads its configs from, absolute: GRUB's folder. */
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
 * pxelinux's option 211 (pxelinux.reboottime), in seconds. A TFTP transfer whose server stops
 * answering halfway (its VIP moved: the new owner knows nothing of the transfer) is fatal to
 * pxelinux: tftp_get_packet() calls kaboom(), which prints "Boot failed: press a key to retry,
 * or wait for reset..." and cold-reboots the PC after RebootTime, 300 s unless option 211 says
 * otherwise (syslinux 6 core/fs/pxe/tftp.c, core/pxelinux.asm, core/fs/pxe/dhcp_option.c).
 * The PC then boots again from DHCP, this time from the survivor. 10 s: the client is back
 * well within an install's budget, and a PC that keeps failing for another reason still gets a
 * readable screen for a while.
 */
export const PXELINUX_REBOOT_S = 10;
export const PXELINUX_REBOOT_OPTION = 211;

export interface DhcpBootFiles {
  fallback: { file: string; vendorClass: string; rebootS: number; rebootOption: number };
  byArch: ArchBootFile[];
}

/**
 * The boot file by client architecture, as both DHCP servers render it (dhcpd.conf's `if
 * option client-arch`, Kea's client classes): each rule of `byArch` for its architectures, and
 * the fallback, pxelinux, for BIOS firmware and any that sends no option 93. Only the fallback
 * is told vendor class "PXEClient" (option 60): BIOS PXE then skips its wait for a ProxyDHCP
 * offer, while EDK2's UEFI PXE would take such an offer for a BINL one and wait for a boot
 * server on port 4011. The fallback also carries pxelinux's reboot time (PXELINUX_REBOOT_S),
 * sent whether or not the firmware asked for it: a PXE ROM does not ask for option 211, and
 * pxelinux reads the ROM's cached DHCPACK.
 */
export function dhcpBootFiles(install: InstallSettings): DhcpBootFiles {
  return {
    fallback: {
      file: "pxelinux.0",
      vendorClass: "PXEClient",
      rebootS: PXELINUX_REBOOT_S,
      rebootOption: PXELINUX_REBOOT_OPTION,
    },
    byArch: [{ what: "x64 UEFI", arches: UEFI_X64_ARCHES, file: bootFiles(install).efi }],
  };
}

/**
 * Where apply puts that kernel and initrd, relative to the TFTP root (pxelinux resolves
 * KERNEL/initrd= paths against it): images/<install.path>/vmlinuz and .../initrd.img; and
 * the UEFI boot files, relative to it too.
 */
export function bootFiles(install: InstallSettings): BootFiles {
  const dir = `images/${install.path}`;
  const shim = `${GRUB_DIR}/shimx64.efi`;
  // Not grubx64.efi: that name is the signed GRUB's, so switching secure_boot off and on
  // never finds the other chain's file in place.
  const unsignedGrub = `${GRUB_DIR}/ksorch-grubx64.efi`;
  return {
    kernel: `${dir}/vmlinuz`,
    initrd: `${dir}/initrd.img`,
    efi: install.uefi.secureBoot ? shim : unsignedGrub,
    shim,
    signedGrub: `${GRUB_DIR}/${SHIM_SECOND_STAGE}`,
    unsignedGrub,
    grubPrefix: `/${GRUB_DIR}`,
  };
}

/**
 * Run on a server right after tftpd (re)starts: one throwaway read request to itself. It
 * arms the IP_PKTINFO option that makes tftpd reply from the address a request was sent to
 * (the VIP); the first request after a start is answered from the primary address instead,
 * which PXE firmware ignores. Measured with tftpd-hpa 5.2 in network namespaces: unprimed,
 * the first get via a secondary address times out; primed, gets via two VIPs (one added after
 * the start) both succeed. A shell command line; needs bash (for /dev/udp). Run by apply's
 * handler after a restart, and at boot by the ready check (templates/ha-ready.sh.ejs).
 */
export const TFTP_PRIME = [
  "bash",
  "-c",
  "printf '\\0\\1pxelinux.cfg/default\\0octet\\0' > /dev/udp/127.0.0.1/69",
]
  .map((p) => quote(p))
  .join(" ");

/** URL of the install tree as seen through one VIP. */
export function treeUrl(inv: Inventory, vip: string): string {
  return `${inv.install.protocol}://${vip}/${inv.install.path}`;
}

/**
 * The installer's arguments: `ks=` for legacy; for RHEL 7+ `inst.ks=`, `inst.repo=` and the
 * stage2 image's sources, the client's VIP and then its backup server's. A VIP's move resets
 * every transfer through it, and dracut's curl does not retry a reset connection (curl exit
 * 56), so each file fetched in dracut gets the backup's own VIP, which is up whenever the
 * client's server is down, as a second source:
 * - stage2: dracut tries the `inst.stage2=` URLs in order until one succeeds (Anaconda's boot
 *   options, "inst.stage2": "can be specified multiple times ... tried in order until one
 *   succeeds", RHEL 7 and later; dracut/anaconda-netroot.sh);
 * - the kickstart, for RHEL 9: with `inst.ks.all`, every http/https/ftp `inst.ks=` is tried
 *   in turn (dracut/parse-anaconda-kickstart.sh writes them to /tmp/ks_urls, and
 *   fetch-kickstart-net.sh loops over them). Without it only the last `inst.ks=` counts, so
 *   older targets keep one source. The backup serves the same kickstart file (identical
 *   trees): its `url --url` names the client's own VIP, which the backup holds by then.
 */
export function kernelArgs(inv: Inventory, c: ClientPlan): string {
  const tree = treeUrl(inv, c.vip);
  const target = inv.install.kickstart.target;
  if (target === "legacy") return `ks=${tree}/${c.kickstartFile}`;
  const sources = [...new Set([tree, treeUrl(inv, c.backupVip)])];
  const ks =
    target === "rhel9" && sources.length > 1
      ? [...sources.map((u) => `inst.ks=${u}/${c.kickstartFile}`), "inst.ks.all"]
      : [`inst.ks=${tree}/${c.kickstartFile}`];
  return [...ks, ...sources.map((u) => `inst.stage2=${u}`), `inst.repo=${tree}`, "ip=dhcp"].join(
    " ",
  );
}

/** pxelinux's APPEND line: the initrd is one of the kernel's arguments there. */
export function appendLine(inv: Inventory, c: ClientPlan): string {
  return `initrd=${bootFiles(inv.install).initrd} ${kernelArgs(inv, c)}`;
}
