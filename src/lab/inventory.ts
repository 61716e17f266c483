// What the lab takes from an inventory: server and client names, LAN addresses, MACs, SSH
// addresses and key paths, the cluster id. The planner reads this narrow shape, so it can be
// tested without inventory files.
import { InputError } from "../errors.js";
import { loadInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/types.js";
import { DEFAULT_LAB, isLabName, labNameOfKey, labPaths } from "./paths.js";

export interface LabInventory {
  /** CIDR, e.g. 192.168.0.0/24. */
  subnet: string;
  /** The inventory's cluster id (`name:`, else its file name). */
  cluster: string;
  /** The lab whose SSH key and known_hosts every server uses: the lab it was written for. */
  labName?: string;
  servers: { name: string; address: string; sshHost?: string; sshPort?: number }[];
  clients: { name: string; mac: string; ip: string }[];
  /** `ha.ping`: the lab gives its switch this address, so it always answers on the LAN. */
  ping?: string;
}

/** The lab an inventory was written for: each server uses that lab's key and known_hosts. */
function labWrittenFor(inv: Inventory): string | undefined {
  const name = labNameOfKey(inv.servers[0]?.ssh.key);
  if (name === undefined) return undefined;
  const { key, knownHosts } = labPaths(name);
  const all = inv.servers.every((s) => s.ssh.key === key && s.ssh.knownHosts === knownHosts);
  return all ? name : undefined;
}

export function labInventoryOf(inv: Inventory): LabInventory {
  const labName = labWrittenFor(inv);
  return {
    subnet: inv.network.subnet,
    cluster: inv.name,
    ...(labName ? { labName } : {}),
    servers: inv.servers.map((s) => ({
      name: s.name,
      address: s.address,
      sshHost: s.ssh.host,
      sshPort: s.ssh.port,
    })),
    clients: inv.clients.map((c) => ({ name: c.name, mac: c.mac, ip: c.ip })),
    ...(inv.ha.ping ? { ping: inv.ha.ping } : {}),
  };
}

/** Loads and validates `file` (InputError with positions on any problem). */
export function readLabInventory(file: string): LabInventory {
  return labInventoryOf(loadInventory(file));
}

/**
 * The lab an inventory brings up when no --name is given: the lab its SSH key belongs to
 * (inventory/lab3.yaml: k3), else one named after its cluster id (inventory/lab.yaml: lab).
 */
export function labNameFor(inv: LabInventory, file: string): string {
  const name = inv.labName ?? inv.cluster;
  if (isLabName(name)) return name;
  throw new InputError(
    `${file}: no lab name in it (its cluster id "${name}" is not one): give --name, e.g. --name ${DEFAULT_LAB}`,
  );
}
