// One SSH connection per server, opened in parallel and reused for every command of a status
// or a drill. A server that cannot be reached is a value (status reports it), not an exception.
import type { Inventory, Server } from "../inventory/types.js";
import { SshTransport, sshTarget } from "../transport/ssh.js";
import type { Transport } from "../transport/types.js";

export type Connection = { ok: true; transport: Transport } | { ok: false; error: string };

export function connectServer(s: Server): Promise<Transport> {
  return SshTransport.connect(sshTarget(s, { connectTimeoutMs: 5000 }));
}

export async function connectAll(inv: Inventory): Promise<Map<string, Connection>> {
  const settled = await Promise.allSettled(inv.servers.map(connectServer));
  return new Map(
    inv.servers.map((s, i) => {
      const r = settled[i];
      const c: Connection =
        r?.status === "fulfilled"
          ? { ok: true, transport: r.value }
          : { ok: false, error: r?.reason instanceof Error ? r.reason.message : String(r?.reason) };
      return [s.name, c];
    }),
  );
}

export async function closeAll(connections: ReadonlyMap<string, Connection>): Promise<void> {
  await Promise.all([...connections.values()].map((c) => (c.ok ? c.transport.close() : undefined)));
}
