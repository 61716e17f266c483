// What the lab takes from an inventory: server and client names, LAN addresses, MACs and SSH
// ports. The planner reads this narrow shape, so it can be tested without inventory files.
import { loadInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/types.js";

export interface LabInventory {
  /** CIDR, e.g. 192.168.0.0/24. */
  subnet: string;
  servers: { name: string; address: string; sshPort?: number }[];
  clients: { name: string; mac: string; ip: string }[];
  /** `ha.ping`: the lab gives its switch this address, so it always answers on the LAN. */
  ping?: string;
}

export function labInventoryOf(inv: Inventory): LabInventory {
  return {
    subnet: inv.network.subnet,
    servers: inv.servers.map((s) => ({ name: s.name, address: s.address, sshPort: s.ssh.port })),
    clients: inv.clients.map((c) => ({ name: c.name, mac: c.mac, ip: c.ip })),
    ...(inv.ha.ping ? { ping: inv.ha.ping } : {}),
  };
}

/** Loads and validates `file` (InputError with positions on any problem). */
export function readLabInventory(file: string): LabInventory {
  return labInventoryOf(loadInventory(file));
}
