// `ksorch init`: a commented inventory for a real site from a few settings. Pure: the settings
// become an inventory without defaults, which the real loader validates and resolves (so the
// defaults written out are the loader's own), then templates/init-inventory.yaml.ejs writes
// every value with a comment, and the result is loaded once more before anyone sees it.
import ipaddr from "ipaddr.js";
import { stringify } from "yaml";
import { InputError, type Diagnostic } from "../errors.js";
import { parseInventory } from "../inventory/load.js";
import type {
  HaEngine,
  Inventory,
  InstallProtocol,
  KickstartTarget,
  OsFamily,
} from "../inventory/types.js";
import { renderTemplate } from "../render/template.js";
import { intToIp, ipToInt } from "../topology/plan.js";

export interface InitSettings {
  name: string;
  subnet: string;
  /** NAME=LAN_ADDRESS, in order. */
  servers: { name: string; address: string }[];
  vips?: string[];
  sshHosts?: string[];
  sshUser?: string;
  sshKey?: string;
  knownHosts?: string;
  interface?: string;
  haInterface: string;
  haSubnet: string;
  engine?: HaEngine;
  ping?: string;
  os?: OsFamily;
  protocol?: InstallProtocol;
  path: string;
  source: string;
  target?: KickstartTarget;
  /** The clients CSV, relative to the inventory's folder. */
  csv: string;
}

/**
 * What `ksorch init` takes for the settings its flags leave out (the flags' defaults, which its
 * --help shows): two servers on 192.168.0.0/24, the paper's crossover link on eth1.
 */
export const INIT_DEFAULTS: Readonly<
  Pick<InitSettings, "subnet" | "servers" | "haInterface" | "haSubnet" | "path" | "source">
> = {
  subnet: "192.168.0.0/24",
  servers: [
    { name: "server1", address: "192.168.0.1" },
    { name: "server2", address: "192.168.0.2" },
  ],
  haInterface: "eth1",
  haSubnet: "10.0.0.0/24",
  path: "pub/rh9",
  source: "tree",
};

/** Which flag sets each inventory field, so a problem names what to change. */
const FLAG_OF: [RegExp, string][] = [
  [/^name$/, "--name"],
  [/^network/, "--subnet"],
  [/^servers\.[^.]+\.vip$/, "--vips"],
  [/^servers\.[^.]+\.ssh\.host$/, "--ssh-hosts"],
  [/^servers\.[^.]+\.heartbeat\.interface$/, "--ha-interface"],
  [/^servers\.[^.]+\.heartbeat/, "--ha-subnet"],
  [/^servers\.[^.]+\.interface$/, "--interface"],
  [/^servers/, "--servers"],
  [/^ssh\.key$/, "--ssh-key"],
  [/^ssh\.known_hosts$/, "--known-hosts"],
  [/^ssh/, "--ssh-user"],
  [/^ha\.ping$/, "--gateway"],
  [/^ha/, "--engine"],
  [/^install\.protocol$/, "--protocol"],
  [/^install\.path$/, "--path"],
  [/^install\.source$/, "--tree"],
  [/^install\.kickstart/, "--target"],
  [/^install/, "--servers"],
];

/** A duration as the inventory writes it: 200ms, 1s, 2.5s. */
export function formatDuration(ms: number): string {
  return ms < 1000 || ms % 100 !== 0 ? `${ms}ms` : `${ms / 1000}s`;
}

/** A YAML scalar, quoted only when it has to be (a path with ": " or "#"). */
const scalar = (value: string): string => stringify(value).trimEnd();

/** The subnet's top host addresses, counting down: server 1 gets broadcast - 1. */
function topAddresses(cidr: string, n: number): string[] {
  const broadcast = ipToInt(ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString());
  return Array.from({ length: n }, (_, i) => intToIp(broadcast - 1 - i));
}

function hostAt(cidr: string, offset: number): string {
  return intToIp(ipToInt(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()) + offset);
}

/** An example clients CSV for `subnet` (valid): one row, with a documentation MAC. */
export function exampleCsv(subnet: string): string {
  const size = 2 ** (32 - Number(subnet.split("/")[1]));
  return [
    "# One row per install client: its name, its MAC (the PXE NIC), the fixed IP DHCP gives it",
    "# and, optionally, the server it installs from (else install.balance decides).",
    "# Replace the example row below (00:00:5e:00:53:xx is the documentation MAC range).",
    "name,mac,ip,server",
    `client1,00:00:5e:00:53:01,${hostAt(subnet, Math.floor(size / 2))},`,
    "",
  ].join("\n");
}

export function validCidr(value: string, flag: string): void {
  if (!ipaddr.IPv4.isValidCIDR(value))
    throw new InputError(
      `${flag} ${value}: expected an IPv4 subnet in CIDR form, e.g. 10.1.0.0/24`,
    );
}

/** The inventory the settings describe, as the user would have written it without defaults. */
export function rawInventory(s: InitSettings): Record<string, unknown> {
  validCidr(s.subnet, "--subnet");
  validCidr(s.haSubnet, "--ha-subnet");
  const n = s.servers.length;
  for (const [flag, list] of [
    ["--vips", s.vips],
    ["--ssh-hosts", s.sshHosts],
  ] as const) {
    if (list && list.length !== n)
      throw new InputError(`${flag}: ${list.length} given for ${n} servers; give one per server`);
  }
  const vips = s.vips ?? topAddresses(s.subnet, n);
  const hbPrefix = Number(s.haSubnet.split("/")[1]);
  // heartbeat is packaged on Debian only (the loader refuses it on Red Hat, naming keepalived).
  const engine = s.engine ?? (n === 2 && s.os === "debian" ? "heartbeat" : "keepalived");
  return {
    name: s.name,
    network: { subnet: s.subnet },
    ssh: {
      ...(s.sshUser ? { user: s.sshUser } : {}),
      ...(s.sshKey ? { key: s.sshKey } : {}),
      ...(s.knownHosts ? { known_hosts: s.knownHosts } : {}),
    },
    servers: Object.fromEntries(
      s.servers.map((srv, i) => [
        srv.name,
        {
          ssh: { host: s.sshHosts?.[i] ?? srv.address },
          address: srv.address,
          ...(s.interface ? { interface: s.interface } : {}),
          // The paper's crossover addresses are 10.0.0.3 and 10.0.0.4: host 3 onwards.
          heartbeat: {
            interface: s.haInterface,
            address: hostAt(s.haSubnet, 3 + i),
            prefix: hbPrefix,
          },
          vip: vips[i],
          ...(s.os ? { os: s.os } : {}),
        },
      ]),
    ),
    ha: { engine, ...(s.ping ? { ping: s.ping } : {}) },
    install: {
      ...(s.protocol ? { protocol: s.protocol } : {}),
      path: s.path,
      source: s.source,
      balance: n === 2 ? "parity" : "modulo",
      ...(s.target ? { kickstart: { target: s.target } } : {}),
    },
    clients: { from: s.csv },
  };
}

/** Problems in the generated inventory are the flags' problems; a CSV's stay its own. */
function asFlagProblems(err: unknown, file: string): never {
  if (!(err instanceof InputError)) throw err;
  const diagnostics = err.diagnostics.map((d): Diagnostic => {
    if (d.file !== file) return d;
    const flag = FLAG_OF.find(([re]) => re.test(d.field ?? ""))?.[1] ?? "ksorch init";
    const { line: _line, column: _column, ...rest } = d;
    return { ...rest, file: flag };
  });
  throw new InputError("these settings do not make a valid inventory", diagnostics, { cause: err });
}

/**
 * The commented inventory text for `file` (absolute; `shown` is how commands in its comments
 * name it), or InputError naming the flags at fault. `read` reads the clients CSV, as the
 * loader does.
 */
export function initInventory(
  s: InitSettings,
  file: string,
  shown: string,
  read: (f: string) => string,
): { text: string; inventory: Inventory } {
  const bare = stringify(rawInventory(s));
  let inv: Inventory;
  try {
    inv = parseInventory(bare, file, read);
  } catch (err) {
    asFlagProblems(err, file);
  }
  const [first] = inv.servers;
  const text = renderTemplate("init-inventory.yaml", {
    inv,
    file: shown,
    ssh: {
      user: first?.ssh.user,
      port: first?.ssh.port,
      key: s.sshKey && scalar(s.sshKey),
      knownHosts: s.knownHosts && scalar(s.knownHosts),
    },
    host: scalar,
    source: scalar(s.source),
    csv: scalar(s.csv),
    exampleIp: hostAt(inv.network.subnet, 2 ** (32 - inv.network.prefixLength) / 2),
    dur: formatDuration,
  });
  // The commented text must mean exactly what was validated.
  const inventory = parseInventory(text, file, read);
  if (JSON.stringify(inventory) !== JSON.stringify(inv))
    throw new Error("internal: the commented inventory differs from the validated one");
  return { text, inventory };
}
