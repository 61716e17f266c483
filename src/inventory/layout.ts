// Where things live on each OS family: paths, package and service names. Declared in the
// inventory (`os:`), checked against the host's facts at apply time.
import type { OsFamily } from "./types.js";

/** The HA guard's name: its script and its service (templates/ha-guard.sh.ejs). */
export const GUARD_NAME = "ksorch-ha-guard";

export type GuardBoot = "ha-guard.init" | "ha-guard.service";

export interface OsLayout {
  family: OsFamily;
  tftpRoot: string;
  ftpRoot: string;
  dhcpdConf: string;
  /** File that tells dhcpd which interfaces to serve. */
  dhcpdDefaults: string;
  tftpDefaults: string;
  vsftpdConf: string;
  /** lighttpd's configuration, when the tree is served over HTTP (document root: ftpRoot). */
  lighttpdConf: string;
  haDir: string;
  keepalivedConf: string;
  /**
   * ksorch's HA guard (templates/ha-guard.sh.ejs): its script, its service name, and what
   * starts it at boot: a SysV init script (Debian, run by its rc or by systemd's generator)
   * or a systemd unit (Red Hat).
   */
  guard: { script: string; service: string; boot: { path: string; template: GuardBoot } };
  /** Static configuration of one interface (the crossover link): `dir`/`prefix` + name. */
  interfaceConfig: { dir: string; prefix: string };
  /** ksorch's own sysctl settings (ip_nonlocal_bind). */
  sysctlFile: string;
  /** Where the pxelinux package puts its BIOS boot files. */
  pxelinuxFiles: { pxelinux: string; ldlinux: string };
  /** GRUB for UEFI clients: the EFI modules and the tool that builds a network boot image. */
  grubEfi: { mkimage: string; modules: string };
  /**
   * Secure Boot clients: the distribution's packages with the shim its vendor had signed by
   * Microsoft and the GRUB network image signed by the distribution, and where they put them.
   */
  signedEfi: { packages: string[]; shim: string; grub: string };
  packages: {
    dhcp: string;
    tftp: string;
    ftp: string;
    http: string;
    /** What grubEfi needs. */
    uefi: string[];
    heartbeat: string;
    keepalived: string;
    /** Extra packages: pxelinux files, tcpdump for drills. */
    support: string[];
  };
  services: {
    dhcp: string;
    tftp: string;
    ftp: string;
    http: string;
    heartbeat: string;
    keepalived: string;
  };
}

const debian: OsLayout = {
  family: "debian",
  tftpRoot: "/srv/tftp",
  ftpRoot: "/srv/ftp",
  dhcpdConf: "/etc/dhcp/dhcpd.conf",
  dhcpdDefaults: "/etc/default/isc-dhcp-server",
  tftpDefaults: "/etc/default/tftpd-hpa",
  vsftpdConf: "/etc/vsftpd.conf",
  lighttpdConf: "/etc/lighttpd/lighttpd.conf",
  haDir: "/etc/ha.d",
  keepalivedConf: "/etc/keepalived/keepalived.conf",
  guard: {
    script: `/usr/local/sbin/${GUARD_NAME}`,
    service: GUARD_NAME,
    boot: { path: `/etc/init.d/${GUARD_NAME}`, template: "ha-guard.init" },
  },
  interfaceConfig: { dir: "/etc/network/interfaces.d", prefix: "" },
  sysctlFile: "/etc/sysctl.d/60-ksorch.conf",
  pxelinuxFiles: {
    pxelinux: "/usr/lib/PXELINUX/pxelinux.0",
    ldlinux: "/usr/lib/syslinux/modules/bios/ldlinux.c32",
  },
  grubEfi: { mkimage: "grub-mkimage", modules: "/usr/lib/grub/x86_64-efi" },
  // grubnetx64 is Debian's network image: its built-in prefix is /grub and its config comes
  // from there (grub2 2.06-13, debian/build-efi-images).
  signedEfi: {
    packages: ["shim-signed", "grub-efi-amd64-signed"],
    shim: "/usr/lib/shim/shimx64.efi.signed",
    grub: "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",
  },
  packages: {
    dhcp: "isc-dhcp-server",
    tftp: "tftpd-hpa",
    ftp: "vsftpd",
    http: "lighttpd",
    uefi: ["grub-efi-amd64-bin"],
    heartbeat: "heartbeat",
    keepalived: "keepalived",
    support: ["pxelinux", "syslinux-common", "tcpdump"],
  },
  services: {
    dhcp: "isc-dhcp-server",
    tftp: "tftpd-hpa",
    ftp: "vsftpd",
    http: "lighttpd",
    heartbeat: "heartbeat",
    keepalived: "keepalived",
  },
};

const rhel: OsLayout = {
  family: "rhel",
  tftpRoot: "/var/lib/tftpboot",
  ftpRoot: "/var/ftp",
  dhcpdConf: "/etc/dhcp/dhcpd.conf",
  dhcpdDefaults: "/etc/sysconfig/dhcpd",
  tftpDefaults: "/etc/sysconfig/tftp",
  vsftpdConf: "/etc/vsftpd/vsftpd.conf",
  lighttpdConf: "/etc/lighttpd/lighttpd.conf",
  haDir: "/etc/ha.d",
  keepalivedConf: "/etc/keepalived/keepalived.conf",
  guard: {
    script: `/usr/local/sbin/${GUARD_NAME}`,
    service: GUARD_NAME,
    boot: { path: `/etc/systemd/system/${GUARD_NAME}.service`, template: "ha-guard.service" },
  },
  interfaceConfig: { dir: "/etc/sysconfig/network-scripts", prefix: "ifcfg-" },
  sysctlFile: "/etc/sysctl.d/60-ksorch.conf",
  pxelinuxFiles: {
    pxelinux: "/usr/share/syslinux/pxelinux.0",
    ldlinux: "/usr/share/syslinux/ldlinux.c32",
  },
  grubEfi: { mkimage: "grub2-mkimage", modules: "/usr/lib/grub/x86_64-efi" },
  // On the ESP path of RHEL's vendor folder (Rocky: EFI/rocky, Alma: EFI/almalinux). Red Hat's
  // GRUB reads its netboot configs from the folder it was loaded from, in GRUB's search order.
  signedEfi: {
    packages: ["shim-x64", "grub2-efi-x64"],
    shim: "/boot/efi/EFI/redhat/shimx64.efi",
    grub: "/boot/efi/EFI/redhat/grubx64.efi",
  },
  packages: {
    dhcp: "dhcp-server",
    tftp: "tftp-server",
    ftp: "vsftpd",
    http: "lighttpd",
    uefi: ["grub2-efi-x64-modules", "grub2-tools"],
    heartbeat: "heartbeat",
    keepalived: "keepalived",
    support: ["syslinux", "tcpdump"],
  },
  services: {
    dhcp: "dhcpd",
    tftp: "tftp",
    ftp: "vsftpd",
    http: "lighttpd",
    heartbeat: "heartbeat",
    keepalived: "keepalived",
  },
};

export function osLayout(family: OsFamily): OsLayout {
  return family === "debian" ? debian : rhel;
}
