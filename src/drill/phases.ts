// The drill's waits, each a poll over the open SSH connections: clients downloading, the
// target's VIPs held by another server, the cluster healthy again.
import type { Inventory } from "../inventory/types.js";
import { pollUntil } from "../poll.js";
import { sh } from "../transport/quote.js";
import type { Transport } from "../transport/types.js";
import { clusterHealth, type ProbeOutcome } from "./health.js";
import { parseAddrShow, vipsHeld } from "./ipaddr.js";
import { servicesOf } from "./setup.js";
import { boundedRun } from "./bounded.js";
import { DRILL_PROBE_MS, probeTransports } from "./status.js";
import type { DrillSetup } from "./types.js";

/** Clients with an established connection to `port` on the server, from `ss`. */
export function parseSsPeers(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[3] ?? "")
    .map((peer) => peer.replace(/^\[?(?:::ffff:)?/, "").replace(/\]?:\d+$/, ""))
    .filter((ip) => ip !== "");
}

/**
 * Waits until half of `clientIps` (at least one) have been seen downloading from the target
 * (an established connection to the install port), so the fault lands mid-download rather
 * than during DHCP or TFTP. Lab clients reconnect for every file and start together: waiting
 * to catch every one of them connected can take most of the wave. False after `ms`.
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
      const downloading = clientIps.filter((ip) => seen.has(ip)).length;
      return downloading >= Math.max(1, Math.ceil(clientIps.length / 2));
    },
    ms,
    250,
  );
}

/** Waits until every one of `vips` is on one of `survivors`; false on timeout. */
export async function waitTakeover(
  transports: ReadonlyMap<string, Transport>,
  survivors: readonly string[],
  vips: readonly string[],
  ms: number,
): Promise<boolean> {
  return pollUntil(
    async () => {
      const held = await Promise.all(
        survivors.map(async (name) => {
          const t = transports.get(name);
          if (!t) return [];
          // A survivor fenced by the target (crossover with ha.fence) answers nothing.
          const r = await boundedRun(t, "ip -o addr show", DRILL_PROBE_MS);
          return r.ok ? vipsHeld(parseAddrShow(r.result.stdout), vips).map((e) => e.address) : [];
        }),
      );
      const all = new Set(held.flat());
      return vips.every((v) => all.has(v));
      // Coarse on purpose: the timings come from the servers' records; this poll only decides
      // when to go on, and polling faster would load the survivor during its takeover.
    },
    ms,
    250,
  );
}

/**
 * Waits until no blocking problem is left, DHCP serves as it should (one dhcpd, or Kea on
 * every server) and, with auto_failback,
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
      // One dhcpd; Kea on every server.
      const dhcp = inv.dhcp.server === "kea" ? inv.servers.length : 1;
      if (h.problems.some((p) => p.blocking) || h.dhcp.length !== dhcp) return false;
      return !inv.ha.autoFailback || h.vips.every((v) => v.owners[0] === v.home);
    },
    ms,
    250,
  );
}

/**
 * Probes until DHCP serves from where it should after the takeover (at most `ms`, 5 s by
 * default; the engine starts dhcpd after the VIP): a survivor when the target held it, else
 * its home server. A dhcpd left running elsewhere then shows in the same probe. A target that
 * does not answer (frozen) is left out of the probes.
 */
export async function settleDhcp(
  inv: Inventory,
  transports: ReadonlyMap<string, Transport>,
  setup: DrillSetup,
  ms = 5000,
): Promise<Map<string, ProbeOutcome>> {
  const expected = (server: string): boolean =>
    setup.dhcpHome === setup.target ? server !== setup.target : server === setup.dhcpHome;
  let probes = new Map<string, ProbeOutcome>();
  await pollUntil(
    async () => {
      probes = await probeTransports(inv, transports);
      const serving = servicesOf(inv, probes, "after-takeover").filter((p) => p.dhcp && p.lanUp);
      return serving.some((p) => expected(p.server));
    },
    ms,
    200,
  );
  return probes;
}
