// The cluster's health from one probe per server (pure): who holds each VIP, which services
// run, whether the install trees agree. The drill refuses to start on a blocking problem (a
// VIP with no owner or two, a server down, an HA engine not running): a drill on a broken
// cluster measures nothing but the breakage.
import type { Inventory } from "../inventory/types.js";
import type { ServerProbe, ServiceRole, TreeManifest } from "./probe.js";

export type Drift = "same" | "differs" | "missing" | "unknown";

export interface ServerHealth {
  name: string;
  reachable: boolean;
  error?: string;
  running?: Record<ServiceRole, boolean>;
  /** The LAN interface has carrier. */
  lanUp?: boolean;
  tree?: TreeManifest;
  /** Against the local source when it is here, else against the first reachable server. */
  drift: Drift;
}

export interface Problem {
  text: string;
  /** The drill will not start while this holds. */
  blocking: boolean;
}

export interface ClusterHealth {
  vips: { vip: string; home: string; owners: string[] }[];
  servers: ServerHealth[];
  /** Servers serving DHCP (running with the LAN up). */
  dhcp: string[];
  problems: Problem[];
  healthy: boolean;
}

export type ProbeOutcome = { ok: true; probe: ServerProbe } | { ok: false; error: string };

export function clusterHealth(
  inv: Inventory,
  probes: ReadonlyMap<string, ProbeOutcome>,
  local: TreeManifest | undefined,
): ClusterHealth {
  const reference = local ?? firstTree(inv, probes);
  const servers = inv.servers.map((s): ServerHealth => {
    const outcome = probes.get(s.name);
    if (!outcome?.ok)
      return {
        name: s.name,
        reachable: false,
        error: outcome?.error ?? "not probed",
        drift: "unknown",
      };
    const p = outcome.probe;
    const h: ServerHealth = {
      name: s.name,
      reachable: true,
      running: p.running,
      lanUp: p.links.find((l) => l.ifname === s.interface)?.carrier ?? false,
      drift: drift(p, reference),
    };
    if (p.tree) h.tree = p.tree;
    return h;
  });
  const vips = inv.servers.map((home) => ({
    vip: home.vip,
    home: home.name,
    owners: inv.servers
      .filter((s) => {
        const o = probes.get(s.name);
        if (!o?.ok) return false;
        const onLink = o.probe.addrs.find((a) => a.family === "inet" && a.address === home.vip);
        return (
          onLink !== undefined &&
          o.probe.links.find((l) => l.ifname === onLink.ifname)?.carrier !== false
        );
      })
      .map((s) => s.name),
  }));
  const dhcp = servers.filter((s) => s.running?.dhcp && s.lanUp).map((s) => s.name);
  const problems = findProblems(inv, servers, vips, dhcp, local !== undefined);
  return { vips, servers, dhcp, problems, healthy: problems.length === 0 };
}

function drift(p: ServerProbe, reference: TreeManifest | undefined): Drift {
  if (p.treeMissing) return "missing";
  if (!p.tree || !reference) return "unknown";
  return p.tree.digest === reference.digest ? "same" : "differs";
}

function firstTree(
  inv: Inventory,
  probes: ReadonlyMap<string, ProbeOutcome>,
): TreeManifest | undefined {
  for (const s of inv.servers) {
    const o = probes.get(s.name);
    if (o?.ok && o.probe.tree) return o.probe.tree;
  }
  return undefined;
}

function findProblems(
  inv: Inventory,
  servers: readonly ServerHealth[],
  vips: ClusterHealth["vips"],
  dhcp: readonly string[],
  againstLocal: boolean,
): Problem[] {
  const problems: Problem[] = [];
  const add = (text: string, blocking: boolean) => problems.push({ text, blocking });
  for (const s of servers) {
    if (!s.reachable) {
      add(`${s.name} is unreachable: ${s.error ?? ""}`, true);
      continue;
    }
    if (!s.running?.ha) add(`${s.name}: ${inv.ha.engine} is not running`, true);
    if (!s.lanUp)
      add(
        `${s.name}: LAN link ${inv.servers.find((x) => x.name === s.name)?.interface} has no carrier`,
        true,
      );
    if (!s.running?.guard)
      add(
        `${s.name}: the HA guard is not running (a crash or freeze of ${inv.ha.engine} would leave its VIPs held; apply starts it)`,
        false,
      );
    for (const role of ["tftp", "ftp"] as const)
      if (!s.running?.[role]) add(`${s.name}: ${role} is not running`, false);
    if (s.drift === "missing") add(`${s.name}: install tree ${inv.install.path} is missing`, false);
    if (s.drift === "differs") {
      add(
        `${s.name}: install tree differs from ${againstLocal ? "the local source" : "the other servers"}`,
        false,
      );
    }
  }
  for (const v of vips) {
    if (v.owners.length === 0) {
      const unknown = servers.some((s) => !s.reachable) ? " among the reachable servers" : "";
      add(`${v.vip} has no owner${unknown}`, true);
    }
    if (v.owners.length > 1)
      add(`${v.vip} is held by ${v.owners.length} servers: ${v.owners.join(", ")}`, true);
  }
  // One dhcpd, moved with a VIP; Kea on every server, its HA hook choosing who answers.
  const expected = inv.dhcp.server === "kea" ? inv.servers.length : 1;
  if (dhcp.length !== expected)
    add(
      `DHCP serves from ${dhcp.length} servers${dhcp.length ? `: ${dhcp.join(", ")}` : ""} (expected ${expected})`,
      false,
    );
  return problems;
}
