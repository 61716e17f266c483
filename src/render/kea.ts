// kea-dhcp4's configuration (dhcp.server: kea). Every server runs kea-dhcp4 with the same
// reservations; Kea's HA hook (libdhcp_ha.so, with libdhcp_lease_cmds.so) shares the leases
// between them and decides which one answers, so DHCP does not move with a VIP. Formats from
// the Kea Administrator Reference Manual (2.2): "The DHCPv4 Server" (reservations, client
// classes, boot fields) and "High Availability Hook" (modes, roles, timers, multi-threaded HA
// with its own HTTP listener, so no kea-ctrl-agent is needed between the servers).
import type { Inventory, Server } from "../inventory/types.js";
import { dhcpBootFiles, type DhcpBootFiles } from "./boot.js";
import { rendered, type RenderContext } from "./template.js";
import type { RenderedFile } from "./types.js";

/**
 * Each server's part in the HA hook. Kea 2.2 pairs exactly two active servers: hot-standby has
 * a primary (answers) and a standby (answers once the primary is down); load-balancing a
 * primary and a secondary that answer half of the clients each, and either all of them when
 * its partner is down. Any third and further server is a `backup`: it receives every lease
 * update but never answers by itself (Kea turns a backup active only by a configuration change).
 */
export function keaRole(
  inv: Inventory,
  index: number,
): "primary" | "standby" | "secondary" | "backup" {
  if (index === 0) return "primary";
  if (index === 1) return inv.dhcp.haMode === "hot-standby" ? "standby" : "secondary";
  return "backup";
}

/** The HA hook's URL of a server: its own LAN address, not a VIP, which may move. */
export function keaPeerUrl(inv: Inventory, s: Server): string {
  return `http://${s.address}:${inv.dhcp.haPort}/`;
}

/**
 * Kea's HA timers from the inventory's: a heartbeat every deadtime, the partner declared down
 * after two deadtimes without an answer (`max-unacked-clients: 0`: without waiting for clients
 * the partner leaves unanswered). The lab's 500 ms deadtime gives 500 ms / 1 s.
 */
export function keaHaTimers(inv: Inventory): Record<string, number> {
  const d = inv.ha.deadtimeMs;
  return {
    "heartbeat-delay": d,
    "max-response-delay": 2 * d,
    "max-ack-delay": d,
    "max-unacked-clients": 0,
  };
}

/** RFC 5071's name for option 211 (./boot.ts, PXELINUX_REBOOT_S). */
const PXELINUX_REBOOT_NAME = "pxelinux-reboottime";

/** option[93].hex is two bytes: 7 is 0x0007. */
function archTest(arches: readonly number[]): string {
  return arches.map((a) => `option[93].hex == 0x${a.toString(16).padStart(4, "0")}`).join(" or ");
}

/**
 * Boot file by client architecture (./boot.ts, as in dhcpd.conf): one class per rule and one for
 * every other client, tests on option 93 only, so each client is in exactly one class.
 */
function bootClasses(boot: DhcpBootFiles): Record<string, unknown>[] {
  const rules = boot.byArch.map((r, i) => ({
    name: `ksorch-boot-${i + 1}`,
    comment: r.what,
    test: archTest(r.arches),
    "boot-file-name": r.file,
  }));
  const any = boot.byArch.map((r) => `(${archTest(r.arches)})`).join(" or ");
  const other = {
    name: "ksorch-boot-default",
    comment: "BIOS, and firmware that sends no option 93",
    test: any ? `not (${any})` : "true",
    "boot-file-name": boot.fallback.file,
    "option-data": [
      { name: "vendor-class-identifier", data: boot.fallback.vendorClass, "always-send": true },
      {
        name: PXELINUX_REBOOT_NAME,
        data: String(boot.fallback.rebootS),
        // A PXE ROM does not ask for it; pxelinux reads the ROM's DHCPACK.
        "always-send": true,
      },
    ],
  };
  return [...rules, other];
}

export function keaConfig(ctx: Pick<RenderContext, "inv" | "topo" | "server" | "layout">): object {
  const { inv, topo, server, layout } = ctx;
  const hooks = layout.dhcp.keaHooks;
  const ha = inv.servers.length > 1;
  const boot = dhcpBootFiles(inv.install);
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: [server.interface], "dhcp-socket-type": "raw" },
      "lease-database": { type: "memfile", persist: true, name: layout.dhcp.keaLeases },
      authoritative: true,
      "valid-lifetime": 3600,
      "max-valid-lifetime": 7200,
      // The HA hook's dedicated listener needs multi-threading (ARM, "Multi-Threaded
      // Configuration (HA+MT)").
      "multi-threading": {
        "enable-multi-threading": true,
        "thread-pool-size": 2,
        "packet-queue-size": 16,
      },
      "option-def": [
        {
          name: PXELINUX_REBOOT_NAME,
          code: boot.fallback.rebootOption,
          type: "uint32",
          space: "dhcp4",
        },
      ],
      "client-classes": bootClasses(boot),
      "hooks-libraries": ha
        ? [
            { library: `${hooks}/libdhcp_lease_cmds.so` },
            {
              library: `${hooks}/libdhcp_ha.so`,
              parameters: {
                "high-availability": [
                  {
                    "this-server-name": server.name,
                    mode: inv.dhcp.haMode,
                    ...keaHaTimers(inv),
                    "multi-threading": {
                      "enable-multi-threading": true,
                      "http-dedicated-listener": true,
                      "http-listener-threads": 1,
                      "http-client-threads": 1,
                    },
                    peers: inv.servers.map((s, i) => ({
                      name: s.name,
                      url: keaPeerUrl(inv, s),
                      role: keaRole(inv, i),
                      "auto-failover": true,
                    })),
                  },
                ],
              },
            },
          ]
        : [],
      subnet4: [
        {
          id: 1,
          subnet: inv.network.subnet,
          interface: server.interface,
          // No pool: only the reserved clients get a lease, as with dhcpd.
          pools: [],
          reservations: topo.clients.map((c) => ({
            "hw-address": c.mac,
            "ip-address": c.ip,
            hostname: c.client,
            "next-server": c.vip,
          })),
        },
      ],
      loggers: [
        {
          name: "kea-dhcp4",
          output_options: [{ output: "/var/log/kea/kea-dhcp4.log" }],
          severity: "INFO",
        },
      ],
    },
  };
}

/** kea-dhcp4.conf: JSON with a comment line, which Kea's parser accepts. */
export function keaFiles(ctx: RenderContext): RenderedFile[] {
  const head = `// Managed by ksorch for cluster ${ctx.inv.name}: edits here are overwritten.\n`;
  const text = `${head}${JSON.stringify(keaConfig(ctx), null, 2)}\n`;
  return [rendered(ctx.layout.dhcp.keaConf, text, "dhcp")];
}
