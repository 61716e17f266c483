// The inventory file as written by a user, before defaults and cross-field checks. Every object
// is strict so that a typo (`keepalvie:`) is an error instead of a silently ignored key. Each
// field's `.describe()` text is the hint shown when the value is wrong: it documents the field
// where it is declared and is what the user sees.
import { isIP } from "node:net";
import { z } from "zod";
import { durationMs } from "./duration.js";

/** A host name that is safe in shell commands, file names, dhcpd and heartbeat configs. */
export const NAME_RE = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$/i;
const nameHint = "letters, digits and '-', starting with a letter, at most 63 characters";

const durationHint = "a duration above 0 and at most a day, such as 200ms, 1s or 2.5s";

function positiveMs(v: string | number): number | undefined {
  try {
    const ms = durationMs(v);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

const ipv4 = z
  .string({ error: "expected an IPv4 address" })
  .refine((s) => isIP(s) === 4, { error: "not an IPv4 address" })
  .describe("an IPv4 address such as 192.168.0.10");

const duration = z
  .union([z.string(), z.number()], { error: "expected a duration" })
  .refine((v) => positiveMs(v) !== undefined, { error: "not a duration above 0 and within a day" })
  .describe(durationHint);

// Linux limits interface names to 15 characters; heartbeat's IP alias appends ":0", so a LAN
// interface longer than 13 characters would break the takeover.
const iface = z
  .string({ error: "expected an interface name" })
  .regex(/^[a-zA-Z0-9_.-]{1,13}$/, { error: "not a usable interface name" })
  .describe("an interface name of at most 13 characters from letters, digits, '_', '.', '-'");

const port = z
  .number({ error: "expected a port number" })
  .int()
  .min(1)
  .max(65535)
  .describe("an integer from 1 to 65535");

const path = z
  .string({ error: "expected a path" })
  .min(1)
  .describe("a file path, absolute or relative to the inventory's folder");

const sshDefaults = z
  .strictObject({
    user: z.string().min(1).describe("a user name").optional(),
    port: port.optional(),
    key: path.optional(),
    known_hosts: path.optional(),
  })
  .describe("user, port, key, known_hosts");

const sshServer = sshDefaults
  .extend({
    // Shown in every message about the server, and looked up in known_hosts: no control
    // characters, spaces or a leading "-".
    host: z
      .string({ error: "expected a host name or address" })
      .regex(/^[A-Za-z0-9:][A-Za-z0-9.:%_-]*$/, { error: "not a host name or address" })
      .describe("a host name or an IP address, e.g. server1.example.com or 192.168.0.1"),
  })
  .describe("host, port, user, key, known_hosts");

// `os:` names the family, and for Red Hat (RHEL, Rocky, Alma) optionally its major release:
// `rhel9` or `{ family: rhel, release: 9 }`. The host's /etc/os-release must agree at apply.
const osHint =
  "debian, rhel, rhel8, rhel9, rhel10, or { family: rhel, release: 8, 9 or 10 } (RHEL, Rocky, Alma)";
export const OS_NAMES = ["debian", "rhel", "rhel8", "rhel9", "rhel10"] as const;
const os = z
  .union(
    [
      z.enum(OS_NAMES),
      z
        .strictObject({
          family: z.enum(["debian", "rhel"]).describe("debian or rhel"),
          release: z
            .union([z.literal(8), z.literal(9), z.literal(10)])
            .describe("8, 9 or 10 (Red Hat only)")
            .optional(),
        })
        .refine((o) => o.family === "rhel" || o.release === undefined, {
          error: "a release is for the Red Hat family only",
          path: ["release"],
        }),
    ],
    { error: `expected ${osHint}` },
  )
  .describe(osHint);

const server = z
  .strictObject({
    ssh: sshServer,
    address: ipv4,
    interface: iface.optional(),
    heartbeat: z
      .strictObject({
        interface: iface,
        address: ipv4,
        prefix: z.number().int().min(8).max(30).describe("a prefix length from 8 to 30").optional(),
      })
      .describe("interface, address, prefix"),
    vip: ipv4,
    os: os.optional(),
  })
  .describe("ssh, address, interface, heartbeat, vip, os");

const client = z
  .strictObject({
    mac: z
      .string({ error: "expected a MAC address in quotes" })
      .regex(/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i, { error: "not a MAC address" })
      // The I/G bit, the lowest of the first octet, marks a group address: no NIC has one.
      .refine((mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0, {
        error: "a multicast or broadcast MAC, which is no network card's",
      })
      .describe('six hex pairs separated by ":", e.g. "00:0c:29:20:50:90" (quoted)'),
    ip: ipv4,
    server: z
      .string({ error: "expected a server name" })
      .describe("the name of the server that serves this client (default: install.balance)")
      .optional(),
  })
  .describe("mac, ip, server");

const names = (what: string) =>
  z
    .string()
    .regex(NAME_RE, { error: `not a valid ${what} name` })
    .describe(nameHint);

// `install.path` ends up in URLs, kickstart files and shell commands: plain relative segments.
const installPath = z
  .string({ error: "expected a path such as pub/rh9" })
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/, { error: "not a safe relative path" })
  .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), {
    error: "'.' and '..' are not allowed",
  })
  .describe("a relative path below the FTP/HTTP root such as pub/rh9, no '..'");

export const inventorySchema = z
  .strictObject({
    // Required, not derived from the file name: a renamed or copied inventory must render the
    // same files and find the same secrets, and a file name is no safe text for a config.
    name: z
      .string({ error: "expected a cluster id" })
      .regex(NAME_RE, { error: "not a valid cluster id" })
      .describe(
        `the cluster id, a line such as name: site1 at the top of the file (${nameHint}); it names the cluster's secrets and heads every rendered file`,
      ),
    network: z
      .strictObject({
        subnet: z
          .string({ error: "expected a subnet in CIDR form" })
          .describe("an IPv4 subnet in CIDR form such as 192.168.0.0/24"),
      })
      .describe("subnet"),
    ssh: sshDefaults.optional(),
    servers: z
      .record(names("server"), server, { error: "expected a map of server name to settings" })
      .refine((m) => Object.keys(m).length > 0, { error: "no servers" })
      .describe("a map of server name to settings, at least one server"),
    ha: z
      .strictObject({
        engine: z.enum(["heartbeat", "keepalived"]).describe("heartbeat or keepalived").optional(),
        keepalive: duration.optional(),
        warntime: duration.optional(),
        deadtime: duration.optional(),
        initdead: duration.optional(),
        auto_failback: z.boolean().describe("true or false").optional(),
        max_takeover: duration.optional(),
        udpport: port.optional(),
        key_file: path
          .describe("a file holding the heartbeat authkeys secret (relative to the inventory)")
          .optional(),
        ping: ipv4
          .describe(
            "an always-reachable LAN address (the gateway) each server tests its LAN link against, e.g. 192.168.0.250",
          )
          .optional(),
        fence: z
          .string({ error: "expected a shell command" })
          .min(1)
          .describe(
            "a shell command the survivor runs before it takes its peer's VIP, e.g. ipmitool ... chassis power off; $KSORCH_PEER names the peer",
          )
          .optional(),
      })
      .describe(
        "engine, keepalive, warntime, deadtime, initdead, auto_failback, max_takeover, udpport, key_file, ping, fence",
      )
      .optional(),
    dhcp: z
      .strictObject({
        server: z.enum(["isc", "kea"]).describe("isc or kea").optional(),
        ha_mode: z
          .enum(["hot-standby", "load-balancing"])
          .describe("hot-standby or load-balancing (Kea's HA hook)")
          .optional(),
        ha_port: port.describe("the TCP port of Kea's HA listener, 1 to 65535").optional(),
      })
      .describe("server, ha_mode, ha_port")
      .optional(),
    install: z
      .strictObject({
        protocol: z.enum(["ftp", "http"]).describe("ftp or http").optional(),
        path: installPath,
        source: path.describe("the local install tree copied to every server"),
        balance: z.enum(["parity", "modulo"]).describe("parity or modulo").optional(),
        kickstart: z
          .strictObject({
            target: z
              .enum(["rhel9", "rhel8", "rhel7", "legacy"])
              .describe("rhel9, rhel8, rhel7 or legacy")
              .optional(),
            rootpw_hash_file: path
              .describe("a file holding the root password's crypt hash (relative to the inventory)")
              .optional(),
          })
          .describe("target, rootpw_hash_file")
          .optional(),
        uefi: z
          .strictObject({
            secure_boot: z
              .boolean({ error: "expected true or false" })
              .describe(
                "true: x64 UEFI clients boot the distribution's signed shim and GRUB (with Secure Boot on or off); false: a GRUB image built on the server, for firmware without Secure Boot",
              )
              .optional(),
          })
          .describe("secure_boot")
          .optional(),
      })
      .describe("protocol, path, source, balance, kickstart, uefi"),
    clients: z
      .record(names("client"), client, { error: "expected a map of client name to mac and ip" })
      .refine((m) => Object.keys(m).length > 0, { error: "no clients" })
      .describe(
        "a map of client name to { mac, ip, server }, at least one client; or { from: clients.csv } with the columns name,mac,ip[,server]",
      ),
  })
  .describe("name, network, ssh, servers, ha, dhcp, install, clients");

export type RawInventory = z.infer<typeof inventorySchema>;
