// The drill's waits, each a poll over the open SSH connections: clients downloading, the
// target's VIPs held by another server, the cluster healthy again.
import type { Inventory } from "../inventory/types.js";
import { sh } from "../transport/quote.js";
import type { Transport } from "../transport/types.js";
import { clusterHealth, type ProbeOutcome } from "./health.js";
import { parseAddrShow, vipsHeld } from "./ipaddr.js";
import { pollUntil } from "./wait.js";

/** Clients with an established connection to `port` on the server, from `ss`. */
export function parseSsPeers(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[3] ?? "")
    .map((peer) => peer.replace(/^\[?(?:::ffff:)?/, "").replace(/\]?:\d+$/, ""))
    .filter((ip) => ip !== "");
}

/**
 * Waits until every client of `clientIps` has been seen downloading from the target (an
 * established connection to the install port), so the fault lands mid-download rather than
 * during DHCP or TFTP. False after `ms`.
 */
export async function waitForDownloads(
  t: Transport,
  port: number,
  clientIps: readonly string[],
  ms = 120_000,
): Promise<boolean> {
  const seen = new Set<string>();
  const filter = `( sport = :${port} )`;
  return pollUntil(
    async () => {
      const r = await t.run(sh`ss -Htn state established ${filter}`);
      for (const ip of parseSsPeers(r.stdout)) seen.add(ip);
      return clientIps.every((ip) => seen.has(ip));
    },
    ms,
    100,
  );
}

/** Waits until every one of `vips` is on one of `survivors`; false on timeout. */
export async function waitTakeover(
  transports: ReadonlyMap<string, Transport>,
  survivors: readonly string[],
  vips: readonly string[],
  ms: number,
): Promise<boolean> {
  return pollUntil(async () => {
    const held = await Promise.all(
      survivors.map(async (name) => {
        const t = transports.get(name);
        if (!t) return [];
        const r = await t.run("ip -o addr show").catch(() => undefined);
        return r ? vipsHeld(parseAddrShow(r.stdout), vips).map((e) => e.address) : [];
      }),
    );
    const all = new Set(held.flat());
    return vips.every((v) => all.has(v));
  }, ms);
}

/**
 * Waits until no blocking problem is left, one server serves DHCP and, with auto_failback,
 * every VIP is home again.
 * Probe failures (a host still booting) count as not healthy yet.
 */
export async function waitHealthy(
  inv: Inventory,
  probe: () => Promise<Map<string, ProbeOutcome>>,
  ms: number,
): Promise<boolean> {
  return pollUntil(
    async () => {
      const h = clusterHealth(inv, await probe(), undefined);
      if (h.problems.some((p) => p.blocking) || h.dhcp.length !== 1) return false;
      return !inv.ha.autoFailback || h.vips.every((v) => v.owners[0] === v.home);
    },
    ms,
    250,
  );
}
