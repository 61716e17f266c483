// The topology: who serves whom. Derived purely from the inventory by ./plan.ts.

/** One row of `ksorch plan`: the client's whole chain MAC -> IP -> pxelinux -> ks -> VIP. */
export interface ClientPlan {
  client: string;
  mac: string;
  ip: string;
  /** Name of the client's file in pxelinux.cfg/: its IP in upper-case hex, e.g. C0A80080. */
  pxelinuxFile: string;
  /** Kickstart file name (below install.path), e.g. kseven.cfg. */
  kickstartFile: string;
  /** The VIP the client boots and installs from. */
  vip: string;
  /** Server that owns the VIP when all is well. */
  server: string;
  /** Server that takes the VIP over when `server` fails. */
  backup: string;
  /** The VIP `backup` owns: the client's second source, alive whenever `server` is not. */
  backupVip: string;
}

export interface ServerPlan {
  name: string;
  /** The VIP this server owns. */
  vip: string;
  /** Kickstart file that installs from this server's VIP. */
  kickstartFile: string;
  /** VIPs this server takes over when their owner fails, with their owners. */
  backupFor: { server: string; vip: string }[];
  /** Clients served from this server's VIP, in inventory order. */
  clients: string[];
}

export interface Topology {
  balance: "parity" | "modulo";
  /** In inventory order. */
  clients: ClientPlan[];
  /** In inventory order; the first is "first server" of the paper's parity rule. */
  servers: ServerPlan[];
}
