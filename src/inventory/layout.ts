// Where things live on each OS family and release: paths, package, service and unit names, and
// the templates that differ. Declared in the inventory (`os:`), checked against the host's
// facts at apply time (./os-checks.ts). Red Hat covers RHEL, Rocky and Alma 8, 9 and 10; its
// names are those of the releases' own packages (dhcp-server, kea, tftp-server,
// syslinux-tftpboot, vsftpd, httpd, grub2-efi-x64 and shim-x64 in signedEfi, keepalived). No real Red Hat host
// ran in ksorch's tests: they use facts recorded in the releases' documented formats.
import type { DhcpServer, Inventory, OsFamily, RhelRelease, Server } from "./types.js";

/** The HA guard's name: its script and its service (templates/ha-guard.sh.ejs). */
export const GUARD_NAME = "ksorch-ha-guard";

export type GuardBoot = "ha-guard.init" | "ha-guard.service";

export interface OsLayout {
  family: OsFamily;
  /** The Red Hat release, when the inventory names one. */
  release?: RhelRelease;
  tftpRoot: string;
  ftpRoot: string;
  /** The DHCP server the inventory chose (dhcp.server), and its configuration files. */
  dhcp: DhcpLayout;
  /** tftpd's configuration and its template: a defaults file, or (Red Hat) a whole unit. */
  tftp: { path: string; template: "tftpd-hpa" | "tftp.service"; socket?: string };
  vsftpdConf: string;
  /** The web server's configuration, when the tree is served over HTTP (root: ftpRoot). */
  http: { path: string; template: "lighttpd.conf" | "httpd.conf"; user: string };
  haDir: string;
  keepalivedConf: string;
  /**
   * ksorch's HA guard (templates/ha-guard.sh.ejs): its script, its service name, and what
   * starts it at boot: a SysV init script (Debian, run by its rc or by systemd's generator)
   * or a systemd unit (Red Hat).
   */
  guard: { script: string; service: string; boot: { path: string; template: GuardBoot } };
  /** Static configuration of the crossover link: its file and template. */
  interfaceConfig: { path: (iface: string) => string; template: InterfaceTemplate; mode: number };
  /** ksorch's own sysctl settings (ip_nonlocal_bind). */
  sysctlFile: string;
  /** Where the pxelinux package puts its BIOS boot files. */
  pxelinuxFiles: { pxelinux: string; ldlinux: string };
  /** GRUB for UEFI clients: the EFI modules and the tool that builds a network boot image. */
  grubEfi: { mkimage: string; modules: string };
  /** Red Hat's firewalld and SELinux are handled where they run (playbooks/47-redhat.yaml). */
  redHat: boolean;
  /**
   * Secure Boot clients: the distribution's packages with the shim its vendor had signed by
   * Microsoft and the GRUB network image signed by the distribution, and where they put them.
   */
  signedEfi: { packages: string[]; shim: string; grub: string };
  packages: {
    /** The chosen DHCP server's packages. */
    dhcp: string[];
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
    /** The chosen DHCP server's service. */
    dhcp: string;
    tftp: string;
    ftp: string;
    http: string;
    heartbeat: string;
    keepalived: string;
  };
}

export type InterfaceTemplate = "interface.debian" | "interface.ifcfg" | "interface.keyfile";

export interface DhcpLayout {
  server: DhcpServer;
  /** ISC: dhcpd.conf and the file naming dhcpd's interface. */
  dhcpdConf: string;
  dhcpdDefaults: string;
  /** Kea: kea-dhcp4's configuration, its hook libraries and its lease file. */
  keaConf: string;
  keaHooks: string;
  keaLeases: string;
}

interface FamilyLayout extends Omit<OsLayout, "dhcp" | "packages" | "services" | "release"> {
  dhcp: Omit<DhcpLayout, "server">;
  packages: Omit<OsLayout["packages"], "dhcp"> & Record<DhcpServer, string[]>;
  services: Omit<OsLayout["services"], "dhcp"> & Record<DhcpServer, string>;
}

const debian: FamilyLayout = {
  family: "debian",
  tftpRoot: "/srv/tftp",
  ftpRoot: "/srv/ftp",
  dhcp: {
    dhcpdConf: "/etc/dhcp/dhcpd.conf",
    dhcpdDefaults: "/etc/default/isc-dhcp-server",
    keaConf: "/etc/kea/kea-dhcp4.conf",
    keaHooks: "/usr/lib/x86_64-linux-gnu/kea/hooks",
    keaLeases: "/var/lib/kea/kea-leases4.csv",
  },
  tftp: { path: "/etc/default/tftpd-hpa", template: "tftpd-hpa" },
  vsftpdConf: "/etc/vsftpd.conf",
  http: { path: "/etc/lighttpd/lighttpd.conf", template: "lighttpd.conf", user: "www-data" },
  haDir: "/etc/ha.d",
  keepalivedConf: "/etc/keepalived/keepalived.conf",
  guard: {
    script: `/usr/local/sbin/${GUARD_NAME}`,
    service: GUARD_NAME,
    boot: { path: `/etc/init.d/${GUARD_NAME}`, template: "ha-guard.init" },
  },
  interfaceConfig: {
    path: (iface) => `/etc/network/interfaces.d/${iface}`,
    template: "interface.debian",
    mode: 0o644,
  },
  sysctlFile: "/etc/sysctl.d/60-ksorch.conf",
  pxelinuxFiles: {
    pxelinux: "/usr/lib/PXELINUX/pxelinux.0",
    ldlinux: "/usr/lib/syslinux/modules/bios/ldlinux.c32",
  },
  grubEfi: { mkimage: "grub-mkimage", modules: "/usr/lib/grub/x86_64-efi" },
  redHat: false,
  // grubnetx64 is Debian's network image: its built-in prefix is /grub and its config comes
  // from there (grub2 2.06-13, debian/build-efi-images).
  signedEfi: {
    packages: ["shim-signed", "grub-efi-amd64-signed"],
    shim: "/usr/lib/shim/shimx64.efi.signed",
    grub: "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",
  },
  packages: {
    isc: ["isc-dhcp-server"],
    // kea-common (a dependency) holds the hook libraries, libdhcp_ha.so among them.
    kea: ["kea-dhcp4-server"],
    tftp: "tftpd-hpa",
    ftp: "vsftpd",
    http: "lighttpd",
    uefi: ["grub-efi-amd64-bin"],
    heartbeat: "heartbeat",
    keepalived: "keepalived",
    support: ["pxelinux", "syslinux-common", "tcpdump"],
  },
  services: {
    isc: "isc-dhcp-server",
    kea: "kea-dhcp4-server",
    tftp: "tftpd-hpa",
    ftp: "vsftpd",
    http: "lighttpd",
    heartbeat: "heartbeat",
    keepalived: "keepalived",
  },
};

const rhel: FamilyLayout = {
  family: "rhel",
  tftpRoot: "/var/lib/tftpboot",
  // vsftpd's anonymous root; the tree goes below it, e.g. /var/ftp/pub/rh9.
  ftpRoot: "/var/ftp",
  dhcp: {
    dhcpdConf: "/etc/dhcp/dhcpd.conf",
    // dhcpd.service reads it (EnvironmentFile=-/etc/sysconfig/dhcpd, $DHCPDARGS).
    dhcpdDefaults: "/etc/sysconfig/dhcpd",
    keaConf: "/etc/kea/kea-dhcp4.conf",
    keaHooks: "/usr/lib64/kea/hooks",
    keaLeases: "/var/lib/kea/kea-leases4.csv",
  },
  // tftp-server's tftp.service is socket activated (tftp.socket, inetd style): each activation
  // is a fresh in.tftpd whose first reply leaves from the primary address, not the VIP. A
  // whole unit of the same name in /etc/systemd/system runs it standalone instead, primed once
  // after each start like Debian's (TFTP_PRIME), and tftp.socket is masked.
  tftp: {
    path: "/etc/systemd/system/tftp.service",
    template: "tftp.service",
    socket: "tftp.socket",
  },
  vsftpdConf: "/etc/vsftpd/vsftpd.conf",
  http: { path: "/etc/httpd/conf.d/ksorch.conf", template: "httpd.conf", user: "apache" },
  haDir: "/etc/ha.d",
  keepalivedConf: "/etc/keepalived/keepalived.conf",
  guard: {
    script: `/usr/local/sbin/${GUARD_NAME}`,
    service: GUARD_NAME,
    boot: { path: `/etc/systemd/system/${GUARD_NAME}.service`, template: "ha-guard.service" },
  },
  // NetworkManager keyfiles (RHEL 9 and 10; 10 reads no ifcfg files); see rhelLayout for 8.
  interfaceConfig: {
    path: (iface) => `/etc/NetworkManager/system-connections/ksorch-${iface}.nmconnection`,
    template: "interface.keyfile",
    // NetworkManager ignores a keyfile others can read.
    mode: 0o600,
  },
  sysctlFile: "/etc/sysctl.d/60-ksorch.conf",
  // syslinux-tftpboot puts the BIOS boot files in /tftpboot.
  pxelinuxFiles: { pxelinux: "/tftpboot/pxelinux.0", ldlinux: "/tftpboot/ldlinux.c32" },
  grubEfi: { mkimage: "grub2-mkimage", modules: "/usr/lib/grub/x86_64-efi" },
  redHat: true,
  // On the ESP path of RHEL's vendor folder (Rocky: EFI/rocky, Alma: EFI/almalinux). Red Hat's
  // GRUB reads its netboot configs from the folder it was loaded from, in GRUB's search order.
  signedEfi: {
    packages: ["shim-x64", "grub2-efi-x64"],
    shim: "/boot/efi/EFI/redhat/shimx64.efi",
    grub: "/boot/efi/EFI/redhat/grubx64.efi",
  },
  packages: {
    isc: ["dhcp-server"],
    // The HA and lease_cmds hooks are in kea-hooks (Fedora's packaging, which RHEL's follows).
    kea: ["kea", "kea-hooks"],
    tftp: "tftp-server",
    ftp: "vsftpd",
    http: "httpd",
    uefi: ["grub2-efi-x64-modules", "grub2-tools"],
    heartbeat: "heartbeat",
    keepalived: "keepalived",
    support: ["syslinux-tftpboot", "tcpdump"],
  },
  services: {
    isc: "dhcpd",
    kea: "kea-dhcp4",
    tftp: "tftp",
    ftp: "vsftpd",
    http: "httpd",
    heartbeat: "heartbeat",
    keepalived: "keepalived",
  },
};

/** RHEL 8 still configures interfaces with ifcfg files (network-scripts format). */
const RHEL8_INTERFACE: OsLayout["interfaceConfig"] = {
  path: (iface) => `/etc/sysconfig/network-scripts/ifcfg-${iface}`,
  template: "interface.ifcfg",
  mode: 0o644,
};

export function osLayout(family: OsFamily, dhcp: DhcpServer, release?: RhelRelease): OsLayout {
  const f = family === "debian" ? debian : rhel;
  const { isc, kea, ...packages } = f.packages;
  const { isc: iscService, kea: keaService, ...services } = f.services;
  return {
    ...f,
    ...(release ? { release } : {}),
    ...(release === 8 ? { interfaceConfig: RHEL8_INTERFACE } : {}),
    dhcp: { ...f.dhcp, server: dhcp },
    packages: { ...packages, dhcp: dhcp === "kea" ? kea : isc },
    services: { ...services, dhcp: dhcp === "kea" ? keaService : iscService },
  };
}

/** The layout of one server of the inventory. */
export function serverLayout(inv: Pick<Inventory, "dhcp">, s: Server): OsLayout {
  return osLayout(s.os, inv.dhcp.server, s.release);
}
