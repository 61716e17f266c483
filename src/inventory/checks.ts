// Cross-field rules the schema cannot express: uniqueness, subnet membership, address
// conflicts, heartbeat timing, and balance/engine versus the number of servers. Pure: returns
// every problem found, never throws.
import ipaddr from "ipaddr.js";
import type { FieldPath } from "./positions.js";
import type { Problem } from "./problems.js";
import { checkOsReleases } from "./os-checks.js";
import type { Inventory } from "./types.js";

interface Use {
  path: FieldPath;
  what: string;
}

/** Reports the second and later uses of the same value, at the repeat, pointing at the first. */
function duplicates(entries: { value: string; use: Use }[], kind: string): Problem[] {
  const first = new Map<string, Use>();
  const out: Problem[] = [];
  for (const { value, use } of entries) {
    const prior = first.get(value);
    if (!prior) {
      first.set(value, use);
      continue;
    }
    out.push({
      path: use.path,
      message: `${kind} ${value} of ${use.what} is already used by ${prior.what}`,
      hint: `every ${kind} must be unique`,
      firstAt: prior.path,
    });
  }
  return out;
}

function lanAddresses(inv: Inventory): { value: string; use: Use }[] {
  const servers = inv.servers.flatMap((s) => [
    {
      value: s.address,
      use: { path: ["servers", s.name, "address"], what: `${s.name}'s address` },
    },
    { value: s.vip, use: { path: ["servers", s.name, "vip"], what: `${s.name}'s VIP` } },
  ]);
  const clients = inv.clients.map((c) => ({
    value: c.ip,
    use: { path: ["clients", c.name, "ip"], what: `client ${c.name}` },
  }));
  // The ping address answers for the LAN: it must not be a server, a VIP or a client.
  const ping = inv.ha.ping
    ? [{ value: inv.ha.ping, use: { path: ["ha", "ping"], what: "ha.ping" } }]
    : [];
  return [...servers, ...clients, ...ping];
}

function inSubnet(inv: Inventory): Problem[] {
  const net = ipaddr.IPv4.parseCIDR(inv.network.subnet);
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(inv.network.subnet).toString();
  const hint = `a host address inside ${inv.network.subnet}, not its network or broadcast address`;
  return lanAddresses(inv).flatMap(({ value, use }) => {
    const inside = ipaddr.IPv4.parse(value).match(net);
    if (inside && value !== net[0].toString() && value !== broadcast) return [];
    const why = inside ? "is the subnet's network or broadcast address" : "is outside the subnet";
    return [{ path: use.path, message: `${value} ${why}`, hint }];
  });
}

function heartbeat(inv: Inventory): Problem[] {
  const out: Problem[] = [];
  const lan = ipaddr.IPv4.parseCIDR(inv.network.subnet);
  const [head] = inv.servers;
  if (!head) return out;
  const hbNet = `${head.heartbeat.address}/${head.heartbeat.prefixLength}`;
  const shared = ipaddr.IPv4.parseCIDR(hbNet);
  for (const s of inv.servers) {
    const path = ["servers", s.name, "heartbeat"];
    const addr = ipaddr.IPv4.parse(s.heartbeat.address);
    const own = `${s.heartbeat.address}/${s.heartbeat.prefixLength}`;
    const hbSubnet = ipaddr.IPv4.parseCIDR(own);
    const network = ipaddr.IPv4.networkAddressFromCIDR(own).toString();
    const hint = "a crossover address on its own subnet, e.g. 10.0.0.3";
    if (addr.match(lan)) {
      out.push({
        path: [...path, "address"],
        message: `heartbeat address ${s.heartbeat.address} is inside the LAN ${inv.network.subnet}`,
        hint,
      });
    } else if (lan[0].match(hbSubnet)) {
      out.push({
        path: [...path, "prefix"],
        message: `heartbeat subnet ${network}/${s.heartbeat.prefixLength} overlaps the LAN ${inv.network.subnet}`,
        hint: "a heartbeat prefix whose subnet holds no LAN address, e.g. 24",
      });
    }
    const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(own).toString();
    if (s.heartbeat.address === network || s.heartbeat.address === broadcast) {
      out.push({
        path: [...path, "address"],
        message: `heartbeat address ${own} is its subnet's ${s.heartbeat.address === network ? "network" : "broadcast"} address`,
        hint: `a host address of ${network}/${s.heartbeat.prefixLength}`,
      });
    }
    if (
      s !== head &&
      (!addr.match(shared) || s.heartbeat.prefixLength !== head.heartbeat.prefixLength)
    ) {
      out.push({
        path: [...path, "address"],
        message: `heartbeat address ${s.heartbeat.address}/${s.heartbeat.prefixLength} is not on ${head.name}'s heartbeat subnet`,
        hint: `an address in ${ipaddr.IPv4.networkAddressFromCIDR(hbNet).toString()}/${shared[1]} with the same prefix`,
        firstAt: ["servers", head.name, "heartbeat", "address"],
      });
    }
    if (s.heartbeat.interface === s.interface) {
      out.push({
        path: [...path, "interface"],
        message: `heartbeat interface ${s.interface} is also the LAN interface`,
        hint: "the crossover NIC, e.g. eth1",
      });
    }
  }
  const hbUses = inv.servers.map((s) => ({
    value: s.heartbeat.address,
    use: { path: ["servers", s.name, "heartbeat", "address"], what: `${s.name}'s heartbeat` },
  }));
  return [...out, ...duplicates(hbUses, "address")];
}

/** heartbeat's own rules: it refuses deadtime <= 2 x keepalive and warns on the others. */
function timings(inv: Inventory): Problem[] {
  const { keepaliveMs: k, warntimeMs: w, deadtimeMs: d, initdeadMs: i } = inv.ha;
  const out: Problem[] = [];
  if (d <= 2 * k) {
    out.push({
      path: ["ha", "deadtime"],
      message: `deadtime ${d}ms is not more than twice keepalive ${k}ms`,
      hint: `a deadtime above ${2 * k}ms, e.g. ${5 * k}ms`,
    });
  }
  if (w <= k || w >= d) {
    out.push({
      path: ["ha", "warntime"],
      message: `warntime ${w}ms is not between keepalive ${k}ms and deadtime ${d}ms`,
      hint: "keepalive < warntime < deadtime",
    });
  }
  if (i < d) {
    out.push({
      path: ["ha", "initdead"],
      message: `initdead ${i}ms is below deadtime ${d}ms`,
      hint: `at least ${d}ms; twice deadtime is usual`,
    });
  }
  return out;
}

function serverCount(inv: Inventory): Problem[] {
  const n = inv.servers.length;
  const out: Problem[] = [];
  if (inv.install.balance === "parity" && n !== 2) {
    out.push({
      path: ["install", "balance"],
      message: `parity balancing needs exactly 2 servers, the inventory has ${n}`,
      hint: "balance: modulo spreads clients over any number of servers",
    });
  }
  // haresources (heartbeat's R1 mode) describes a two-node cluster only.
  if (inv.ha.engine === "heartbeat" && n !== 2) {
    out.push({
      path: ["ha", "engine"],
      message: `heartbeat (haresources mode) handles exactly 2 servers, the inventory has ${n}`,
      hint: "engine: keepalived for more than two servers",
    });
  }
  // keepalived adds a VIP before any script of ours can run, so no fence could come first.
  if (inv.ha.engine === "keepalived" && inv.ha.fence !== undefined) {
    out.push({
      path: ["ha", "fence"],
      message: "ha.fence works with heartbeat only: keepalived takes a VIP before any script runs",
      hint: "remove ha.fence, or use engine: heartbeat (2 servers)",
    });
  }
  return out;
}

/** Host names are compared without case, as DNS and /etc/hosts compare them. */
function names(inv: Inventory): Problem[] {
  const hosts = [
    ...inv.servers.map((s) => ({ name: s.name, path: ["servers", s.name], what: "server" })),
    ...inv.clients.map((c) => ({ name: c.name, path: ["clients", c.name], what: "client" })),
  ];
  const first = new Map<string, (typeof hosts)[number]>();
  const out: Problem[] = [];
  for (const h of hosts) {
    const prior = first.get(h.name.toLowerCase());
    if (!prior) {
      first.set(h.name.toLowerCase(), h);
      continue;
    }
    out.push({
      path: h.path,
      anchor: "key",
      message: `${h.what} name ${h.name} is also the ${prior.what} name ${prior.name}`,
      hint: "host names must be unique across servers and clients, whatever their case",
      firstAt: prior.path,
    });
  }
  const serverNames = inv.servers.map((s) => s.name);
  for (const c of inv.clients) {
    if (c.server !== undefined && !serverNames.includes(c.server)) {
      out.push({
        path: ["clients", c.name, "server"],
        message: `client ${c.name}'s server ${c.server} is not in servers`,
        hint: `one of ${serverNames.join(", ")}, or nothing to let install.balance decide`,
      });
    }
  }
  return out;
}

export function checkInventory(inv: Inventory): Problem[] {
  const macs = inv.clients.map((c) => ({
    value: c.mac,
    use: { path: ["clients", c.name, "mac"], what: `client ${c.name}` },
  }));
  return [
    ...names(inv),
    ...inSubnet(inv),
    ...duplicates(lanAddresses(inv), "address"),
    ...duplicates(macs, "MAC"),
    ...heartbeat(inv),
    ...timings(inv),
    ...serverCount(inv),
    ...checkOsReleases(inv),
  ];
}
