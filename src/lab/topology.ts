// The shape of a lab, planned from an inventory and the `lab up` options before anything is
// touched. Pure: the same inputs always give the same namespaces, names, MACs and ports.
import { InputError } from "../errors.js";
import { intToIp, ipToInt } from "../topology/plan.js";
import type { LabInventory } from "./inventory.js";
import { DEFAULT_LAB, checkLabName } from "./paths.js";

export interface LabServer {
  name: string;
  /** 1-based position; fixes the port, the MACs and the switch port names. */
  index: number;
  netns: string;
  /** LAN address with prefix length, on eth0. */
  lan: string;
  lanMac: string;
  /** Crossover NIC, no address: `ksorch apply` configures the heartbeat link. */
  hbMac: string;
  /** Port of the switch's LAN bridge that eth0 is plugged into. */
  switchPort: string;
  /** Port of the heartbeat bridge (only with more than two servers). */
  hbSwitchPort?: string;
  sshPort: number;
}

export interface LabClient {
  name: string;
  index: number;
  netns: string;
  mac: string;
  /** The address dhcpd is expected to hand out (from the inventory). */
  ip: string;
  switchPort: string;
}

export interface LabPlan {
  name: string;
  switchNs: string;
  lanBridge: string;
  /** Set when the servers' eth1 share a bridge rather than one veth pair. */
  hbBridge?: string;
  prefixLength: number;
  /**
   * Address with prefix of the LAN bridge in the switch namespace (the inventory's `ha.ping`):
   * the gateway every server tests its LAN against, and where the lab's fence agent listens.
   */
  gateway?: string;
  portBase: number;
  servers: LabServer[];
  clients: LabClient[];
}

export interface LabOptions {
  name: string;
  servers?: number;
  clients?: number;
  /** Server i's sshd is published on 127.0.0.1:(portBase + i). */
  portBase?: number;
}

const MAX_HOSTS = 99;

/** 2200 for the default lab (matches inventory/lab.yaml), else a base derived from the name. */
export function defaultPortBase(name: string): number {
  if (name === DEFAULT_LAB) return 2200;
  let h = 0x811c9dc5; // FNV-1a: stable across runs and Node versions.
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 3000 + (h % 300) * 100;
}

function macPlus(mac: string, k: number): string {
  const n = parseInt(mac.replace(/:/g, ""), 16) + k;
  return (n.toString(16).padStart(12, "0").match(/../g) ?? []).join(":");
}

/** Locally administered MACs, so a capture shows at a glance which server sent a frame. */
function serverMac(nic: number, index: number): string {
  return `02:6b:73:00:${nic.toString(16).padStart(2, "0")}:${index.toString(16).padStart(2, "0")}`;
}

function count(what: string, n: number | undefined, fallback: number, min: number): number {
  const v = n ?? fallback;
  if (!Number.isInteger(v) || v < min || v > MAX_HOSTS)
    throw new InputError(`--${what} must be an integer from ${min} to ${MAX_HOSTS}, got ${v}`);
  return v;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost)$/;

/**
 * The inventory's SSH ports are the lab's when it was written for this lab (its key is the
 * lab's; an inventory without a lab key counts as the default lab's) and reaches every server
 * on a loopback port of its own.
 */
export function inventoryPortsFit(inv: LabInventory, name: string): boolean {
  if ((inv.labName ?? DEFAULT_LAB) !== name) return false;
  const ports = inv.servers.map((s) => s.sshPort);
  return (
    inv.servers.every((s) => s.sshPort !== undefined && LOOPBACK.test(s.sshHost ?? "")) &&
    new Set(ports).size === ports.length
  );
}

/**
 * The inventory reaches the lab as it is, with no rewritten copy: it was written for this lab
 * (its key and known_hosts), its ports are the lab's and it names exactly the lab's servers.
 */
export function reachesLab(inv: LabInventory, plan: LabPlan): boolean {
  return (
    inv.labName === plan.name &&
    inv.servers.length === plan.servers.length &&
    plan.servers.every(
      (s, i) => inv.servers[i]?.name === s.name && inv.servers[i]?.sshPort === s.sshPort,
    ) &&
    inventoryPortsFit(inv, plan.name)
  );
}

export function planLab(inv: LabInventory, opts: LabOptions): LabPlan {
  const name = checkLabName(opts.name);
  const [net, len] = inv.subnet.split("/");
  const prefixLength = Number(len);
  if (!net || !Number.isInteger(prefixLength))
    throw new InputError(`invalid subnet '${inv.subnet}' (expected e.g. 192.168.0.0/24)`);
  const nServers = count("servers", opts.servers, inv.servers.length || 2, 1);
  const nClients = count("clients", opts.clients, inv.clients.length, 0);
  const portBase = opts.portBase ?? defaultPortBase(name);
  const useInventoryPorts = opts.portBase === undefined && inventoryPortsFit(inv, name);
  const ns = (host: string): string => `${name}.${host}`;
  const hbBridge = nServers > 2 ? "hb0" : undefined;

  const servers = Array.from({ length: nServers }, (_, k): LabServer => {
    const i = k + 1;
    const inv1 = inv.servers[k];
    const sname = inv1?.name ?? `server${i}`;
    const address = inv1?.address ?? intToIp(ipToInt(net) + i);
    return {
      name: sname,
      index: i,
      netns: ns(sname),
      lan: `${address}/${prefixLength}`,
      lanMac: serverMac(1, i),
      hbMac: serverMac(2, i),
      switchPort: `s${i}`,
      ...(hbBridge ? { hbSwitchPort: `h${i}` } : {}),
      sshPort: (useInventoryPorts ? inv1?.sshPort : undefined) ?? portBase + i,
    };
  });
  const last = inv.clients[inv.clients.length - 1] ?? {
    name: "client0",
    mac: "00:0c:29:20:50:8f",
    ip: intToIp(ipToInt(net) + 127),
  };
  const clients = Array.from({ length: nClients }, (_, k): LabClient => {
    const i = k + 1;
    const extra = k - inv.clients.length + 1;
    const c = inv.clients[k] ?? {
      name: `client${i}`,
      mac: macPlus(last.mac, extra),
      ip: intToIp(ipToInt(last.ip) + extra),
    };
    return { ...c, index: i, netns: ns(c.name), switchPort: `c${i}` };
  });
  const names = [...servers, ...clients].map((h) => h.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`host name '${dup}' is used twice`);
  return {
    name,
    switchNs: ns("switch"),
    lanBridge: "lan0",
    ...(hbBridge ? { hbBridge } : {}),
    prefixLength,
    ...(inv.ping ? { gateway: `${inv.ping}/${prefixLength}` } : {}),
    portBase,
    servers,
    clients,
  };
}
