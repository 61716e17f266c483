// What a lab is made of right now: hosts, namespaces, PIDs, addresses, ports and where the
// LAN bridge is, for people and for tools that attach to the LAN (tcpdump, a VM's tap).
import { existsSync } from "node:fs";
import { labPaths } from "./paths.js";
import { isAlive } from "./procs.js";
import { readState } from "./state.js";

export interface HostStatus {
  name: string;
  role: "server" | "client";
  netns: string;
  mac: string;
  /** Server: its LAN address with prefix; client: the address dhcpd should give it. */
  address: string;
  /** Servers only. */
  initPid?: number;
  running: boolean;
  sshPort?: number;
  /** Port of the LAN bridge in the switch namespace this host's eth0 is plugged into. */
  switchPort: string;
}

export interface LabStatus {
  name: string;
  up: boolean;
  inventory?: string;
  /** An inventory that reaches this lab (its ports, key and known_hosts). */
  labInventory?: string;
  /** The inventory to give `ksorch apply`: `inventory` itself when it reaches the lab. */
  applyWith?: string;
  switch?: { netns: string; lanBridge: string; hbBridge?: string };
  ssh?: { key: string; knownHosts: string };
  servers: HostStatus[];
  clients: HostStatus[];
}

export async function labStatus(name: string): Promise<LabStatus> {
  const state = await readState(name);
  if (!state) return { name, up: false, servers: [], clients: [] };
  const { plan } = state;
  const paths = labPaths(name);
  const servers = await Promise.all(
    plan.servers.map(async (s): Promise<HostStatus> => {
      const initPid = state.servers[s.name]?.initPid;
      return {
        name: s.name,
        role: "server",
        netns: s.netns,
        mac: s.lanMac,
        address: s.lan,
        ...(initPid ? { initPid } : {}),
        running: initPid !== undefined && (await isAlive(initPid)),
        sshPort: s.sshPort,
        switchPort: s.switchPort,
      };
    }),
  );
  const clients = plan.clients.map((c): HostStatus => ({
    name: c.name,
    role: "client",
    netns: c.netns,
    mac: c.mac,
    address: c.ip,
    running: existsSync(`/run/netns/${c.netns}`),
    switchPort: c.switchPort,
  }));
  return {
    name,
    up: servers.every((s) => s.running),
    inventory: state.inventory,
    labInventory: paths.inventory,
    applyWith: state.direct === true ? state.inventory : paths.inventory,
    switch: {
      netns: plan.switchNs,
      lanBridge: plan.lanBridge,
      ...(plan.hbBridge ? { hbBridge: plan.hbBridge } : {}),
    },
    ssh: { key: paths.key, knownHosts: paths.knownHosts },
    servers,
    clients,
  };
}
