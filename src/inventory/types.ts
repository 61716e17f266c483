// The resolved inventory: what every other part of ksorch reads. Loading (./load.ts) turns the
// YAML file into this shape with defaults applied, durations in milliseconds, MACs in lower
// case and paths absolute; validation guarantees the cross-field rules hold.

export type OsFamily = "debian" | "rhel";
/** The Red Hat family releases ksorch knows (RHEL, Rocky, Alma): their major version. */
export const RHEL_RELEASES = [8, 9, 10] as const;
export type RhelRelease = (typeof RHEL_RELEASES)[number];
export type DhcpServer = "isc" | "kea";
/** Kea's HA hook modes ksorch configures (libdhcp_ha.so). */
export type KeaHaMode = "hot-standby" | "load-balancing";
export type HaEngine = "heartbeat" | "keepalived";
export type Balance = "parity" | "modulo";
export type InstallProtocol = "ftp" | "http";
/** `rhel9` (and later) uses `inst.ks=`/`inst.repo=`; `legacy` is the paper's `ks=`. */
export type KickstartTarget = "rhel9" | "rhel8" | "rhel7" | "legacy";

export interface SshSettings {
  host: string;
  port: number;
  user: string;
  /** Absolute path of the private key; when absent the SSH agent is used. */
  key?: string;
  /** Absolute path of the known_hosts file host keys are checked against. */
  knownHosts?: string;
}

export interface Server {
  name: string;
  ssh: SshSettings;
  /** LAN address. */
  address: string;
  /** LAN interface, default eth0. */
  interface: string;
  /** Crossover link; `prefixLength` (default 24) is the subnet all heartbeat addresses share. */
  heartbeat: { interface: string; address: string; prefixLength: number };
  vip: string;
  os: OsFamily;
  /**
   * The Red Hat release the inventory names (`os: rhel9`, `os: {family: rhel, release: 9}`);
   * absent for Debian and for a bare `os: rhel`, whose release the host's facts then tell.
   */
  release?: RhelRelease;
}

export interface Client {
  name: string;
  /** Lower case, colon separated. */
  mac: string;
  ip: string;
  /** The serving server the inventory names for this client; else `install.balance` decides. */
  server?: string;
}

export interface HaSettings {
  engine: HaEngine;
  keepaliveMs: number;
  warntimeMs: number;
  deadtimeMs: number;
  initdeadMs: number;
  autoFailback: boolean;
  /** A drill passes only if the takeover is at most this long. */
  maxTakeoverMs: number;
  udpPort: number;
  /** Absolute path of a file holding the authkeys secret; otherwise env or a generated one. */
  keyFile?: string;
  /**
   * An always-reachable LAN address (the gateway): a server that cannot reach it has lost its
   * LAN and hands its VIPs over. Without it, only a lost carrier is noticed.
   */
  ping?: string;
  /**
   * Shell command a survivor runs before it takes a peer's VIP (STONITH), with KSORCH_PEER and
   * KSORCH_PEER_ADDRESS in its environment.
   */
  fence?: string;
}

export interface DhcpSettings {
  /** isc: dhcpd on one server at a time, moved with the first VIP; kea: on every server. */
  server: DhcpServer;
  /** Kea only: how its HA hook shares the clients between the servers. */
  haMode: KeaHaMode;
  /** Kea only: the TCP port of the HA hook's own HTTP listener on each server's LAN address. */
  haPort: number;
}

export interface InstallSettings {
  protocol: InstallProtocol;
  /** Path of the tree below the FTP/HTTP root, e.g. `pub/rh9`. */
  path: string;
  /** Absolute path of the local install tree that is copied to every server. */
  source: string;
  balance: Balance;
  /** `rootpwHashFile`: absolute path of a file holding the root password's crypt hash. */
  kickstart: { target: KickstartTarget; rootpwHashFile?: string };
  /**
   * x64 UEFI clients: `secureBoot` (default true) hands them the distribution's signed shim,
   * which loads its signed GRUB; false, a GRUB image built on the server (unsigned), which
   * firmware with Secure Boot on refuses.
   */
  uefi: { secureBoot: boolean };
}

export interface Inventory {
  /** Absolute path of the inventory file. */
  file: string;
  /** Cluster id (`name:`, required): names its generated secrets and every rendered file's header. */
  name: string;
  network: { subnet: string; prefixLength: number; netmask: string };
  /** In file order; the order defines "first server" for parity balancing. */
  servers: Server[];
  ha: HaSettings;
  dhcp: DhcpSettings;
  install: InstallSettings;
  /** In file order. */
  clients: Client[];
}
