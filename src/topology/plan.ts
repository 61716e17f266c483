// The pure planner: which server (and so which VIP and kickstart file) serves each client, and
// who backs up whom. Synchronous, no I/O: the same inventory always gives the same topology.
import ipaddr from "ipaddr.js";
import { InputError } from "../errors.js";
import type { Inventory, Server } from "../inventory/types.js";
import type { ClientPlan, ServerPlan, Topology } from "./types.js";

/** The IPv4 address as an unsigned 32-bit integer. */
export function ipToInt(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((acc, byte) => acc * 256 + byte, 0);
}

/** The IPv4 address of an unsigned 32-bit integer: ipToInt's inverse. */
export function intToIp(n: number): string {
  return ipaddr.fromByteArray([24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256)).toString();
}

/** pxelinux's per-client config name: the IP in upper-case hex, 8 digits (C0A80080). */
export function pxelinuxFileName(ip: string): string {
  return ipToInt(ip).toString(16).toUpperCase().padStart(8, "0");
}

/**
 * Index of the serving server. `(ip - 1) mod N` rather than `ip mod N` so that host .1 goes to
 * the first server: with N = 2 odd addresses go to the first server, exactly the paper's
 * parity rule, and parity and modulo agree.
 */
export function servingIndex(ip: string, serverCount: number): number {
  return (ipToInt(ip) - 1 + serverCount) % serverCount;
}

/** The paper's rule, kept literal: odd last octet -> first server, even -> second. */
function parityIndex(ip: string): number {
  const lastOctet = ipaddr.IPv4.parse(ip).octets[3] ?? 0;
  return lastOctet % 2 === 1 ? 0 : 1;
}

/** ksodd.cfg/kseven.cfg for two servers (the paper's names), ks-<server>.cfg otherwise. */
function kickstartFileName(index: number, servers: readonly Server[]): string {
  if (servers.length === 2) return index === 0 ? "ksodd.cfg" : "kseven.cfg";
  return `ks-${servers[index]?.name ?? index}.cfg`;
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`internal: index ${index} out of ${list.length}`);
  return item;
}

export function planTopology(inv: Inventory): Topology {
  const { servers } = inv;
  const n = servers.length;
  if (inv.install.balance === "parity" && n !== 2) {
    throw new InputError(`parity balancing needs exactly 2 servers, the inventory has ${n}`, [
      {
        file: inv.file,
        field: "install.balance",
        message: "parity needs 2 servers",
        hint: "balance: modulo",
      },
    ]);
  }
  if (n === 0) throw new InputError("the inventory has no servers");
  // The backup of server i is the next one in ring order; with 2 servers, each other.
  const backupIndex = (i: number) => (i + 1) % n;
  const clients: ClientPlan[] = inv.clients.map((c) => {
    const named = c.server === undefined ? -1 : servers.findIndex((s) => s.name === c.server);
    const i =
      named >= 0
        ? named
        : inv.install.balance === "parity"
          ? parityIndex(c.ip)
          : servingIndex(c.ip, n);
    const owner = at(servers, i);
    const backup = at(servers, backupIndex(i));
    return {
      client: c.name,
      mac: c.mac,
      ip: c.ip,
      pxelinuxFile: pxelinuxFileName(c.ip),
      kickstartFile: kickstartFileName(i, servers),
      vip: owner.vip,
      server: owner.name,
      backup: backup.name,
      backupVip: backup.vip,
    };
  });
  const plans: ServerPlan[] = servers.map((s, i) => ({
    name: s.name,
    vip: s.vip,
    kickstartFile: kickstartFileName(i, servers),
    backupFor: servers
      .filter((_, j) => j !== i && backupIndex(j) === i)
      .map((o) => ({ server: o.name, vip: o.vip })),
    clients: clients.filter((c) => c.server === s.name).map((c) => c.client),
  }));
  return { balance: inv.install.balance, clients, servers: plans };
}
