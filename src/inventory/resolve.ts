// Turns a schema-valid raw inventory into the resolved Inventory: defaults applied, durations in
// milliseconds, MACs in lower case with colons, paths absolute. No checks beyond the schema's:
// ./checks.ts runs on the result.
import { dirname, resolve as resolvePath } from "node:path";
import type { RawInventory } from "./schema.js";
import { durationMs } from "./duration.js";
import type {
  Client,
  DhcpSettings,
  HaSettings,
  Inventory,
  OsFamily,
  RhelRelease,
  Server,
  SshSettings,
} from "./types.js";

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = "root";
export const DEFAULT_HEARTBEAT_PREFIX = 24;
export const DEFAULT_UDP_PORT = 694;
/** Kea's HA hook listens here on each server's LAN address (8000 is Kea's control agent). */
export const DEFAULT_KEA_HA_PORT = 8001;
/** The lab's measured working keepalive; the other timings are derived from it (see haSettings). */
export const DEFAULT_KEEPALIVE_MS = 200;

type RawServer = RawInventory["servers"][string];
type RawSsh = NonNullable<RawInventory["ssh"]>;

function sshSettings(own: RawServer["ssh"], shared: RawSsh | undefined, dir: string): SshSettings {
  const key = own.key ?? shared?.key;
  const knownHosts = own.known_hosts ?? shared?.known_hosts;
  return {
    host: own.host,
    port: own.port ?? shared?.port ?? DEFAULT_SSH_PORT,
    user: own.user ?? shared?.user ?? DEFAULT_SSH_USER,
    ...(key ? { key: resolvePath(dir, key) } : {}),
    ...(knownHosts ? { knownHosts: resolvePath(dir, knownHosts) } : {}),
  };
}

/**
 * Unset timings follow the lab's measured working set (200ms / 500ms / 1s / 2s): deadtime is
 * five keepalives, warntime half of deadtime, initdead twice deadtime, and a drill accepts a
 * takeover of up to twice deadtime.
 */
function haSettings(raw: RawInventory["ha"], dir: string, servers: Server[]): HaSettings {
  const ms = (v: string | number | undefined) => (v === undefined ? undefined : durationMs(v));
  const keepaliveMs = ms(raw?.keepalive) ?? DEFAULT_KEEPALIVE_MS;
  const deadtimeMs = ms(raw?.deadtime) ?? keepaliveMs * 5;
  return {
    // No Red Hat release ksorch supports packages heartbeat (./os-checks.ts): keepalived there.
    engine: raw?.engine ?? (servers.some((s) => s.os === "rhel") ? "keepalived" : "heartbeat"),
    keepaliveMs,
    warntimeMs: ms(raw?.warntime) ?? Math.round(deadtimeMs / 2),
    deadtimeMs,
    initdeadMs: ms(raw?.initdead) ?? deadtimeMs * 2,
    autoFailback: raw?.auto_failback ?? true,
    maxTakeoverMs: ms(raw?.max_takeover) ?? deadtimeMs * 2,
    udpPort: raw?.udpport ?? DEFAULT_UDP_PORT,
    ...(raw?.key_file ? { keyFile: resolvePath(dir, raw.key_file) } : {}),
    ...(raw?.ping ? { ping: raw.ping } : {}),
    ...(raw?.fence ? { fence: raw.fence } : {}),
  };
}

/** `rhel9` -> rhel, 9; `{ family, release }` as it is; unset is a bare `rhel` (the paper's). */
function osOf(raw: RawServer["os"]): { os: OsFamily; release?: RhelRelease } {
  if (raw === undefined) return { os: "rhel" };
  if (typeof raw === "object")
    return raw.release ? { os: raw.family, release: raw.release } : { os: raw.family };
  const m = /^rhel(\d+)$/.exec(raw);
  if (m) return { os: "rhel", release: Number(m[1]) as RhelRelease };
  return { os: raw as OsFamily };
}

/** ISC's dhcpd by default, Kea where a server runs RHEL 10 (which ships no dhcp-server). */
function dhcpSettings(raw: RawInventory["dhcp"], servers: Server[]): DhcpSettings {
  return {
    server: raw?.server ?? (servers.some((s) => s.release === 10) ? "kea" : "isc"),
    haMode: raw?.ha_mode ?? "hot-standby",
    haPort: raw?.ha_port ?? DEFAULT_KEA_HA_PORT,
  };
}

function server(name: string, raw: RawServer, shared: RawSsh | undefined, dir: string): Server {
  return {
    name,
    ssh: sshSettings(raw.ssh, shared, dir),
    address: raw.address,
    interface: raw.interface ?? "eth0",
    heartbeat: {
      interface: raw.heartbeat.interface,
      address: raw.heartbeat.address,
      prefixLength: raw.heartbeat.prefix ?? DEFAULT_HEARTBEAT_PREFIX,
    },
    vip: raw.vip,
    ...osOf(raw.os),
  };
}

/** `subnet` must already be a valid CIDR (checked before resolving). */
export function resolveInventory(
  raw: RawInventory,
  file: string,
  subnet: { network: string; prefixLength: number; netmask: string },
): Inventory {
  const dir = dirname(file);
  const kickstart = raw.install.kickstart;
  const clients: Client[] = Object.entries(raw.clients).map(([name, c]) => ({
    name,
    mac: c.mac.toLowerCase().replaceAll("-", ":"),
    ip: c.ip,
    ...(c.server ? { server: c.server } : {}),
  }));
  const servers = Object.entries(raw.servers).map(([n, s]) => server(n, s, raw.ssh, dir));
  return {
    file,
    name: raw.name,
    network: {
      subnet: `${subnet.network}/${subnet.prefixLength}`,
      prefixLength: subnet.prefixLength,
      netmask: subnet.netmask,
    },
    servers,
    ha: haSettings(raw.ha, dir, servers),
    dhcp: dhcpSettings(raw.dhcp, servers),
    install: {
      protocol: raw.install.protocol ?? "ftp",
      path: raw.install.path.replace(/\/+$/, ""),
      source: resolvePath(dir, raw.install.source),
      balance: raw.install.balance ?? "parity",
      kickstart: {
        target: kickstart?.target ?? "rhel9",
        ...(kickstart?.rootpw_hash_file
          ? { rootpwHashFile: resolvePath(dir, kickstart.rootpw_hash_file) }
          : {}),
      },
      uefi: { secureBoot: raw.install.uefi?.secure_boot ?? true },
    },
    clients,
  };
}
