// `ksorch init [DIR]`: writes DIR/inventory.yaml for a real site, every default written out and
// commented, clients from a CSV file (DIR/clients.csv, an example one when none is given).
// Validated as `ksorch validate` would before anything is written; never overwrites a file
// unless --force (and never the clients CSV).
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { InputError } from "../../errors.js";
import {
  exampleCsv,
  INIT_DEFAULTS,
  initInventory,
  validCidr,
  type InitSettings,
} from "../../init/inventory.js";
import { DEFAULT_SSH_USER } from "../../inventory/resolve.js";
import { NAME_RE } from "../../inventory/schema.js";
import { examples } from "../examples.js";
import { count, writeAtomically } from "../output.js";
import type { SetExit } from "./index.js";

const list = (v: string): string[] =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** `ks1=10.1.0.11,ks2=10.1.0.12`, or bare addresses named server1, server2, ... */
function serverList(v: string): InitSettings["servers"] {
  const servers = list(v).map((item, i) => {
    const [name, address] = item.includes("=") ? item.split("=", 2) : [`server${i + 1}`, item];
    return { name: (name ?? "").trim(), address: (address ?? "").trim() };
  });
  if (servers.length === 0) throw new InvalidArgumentError("expected NAME=ADDRESS,...");
  return servers;
}

interface Flags {
  name?: string;
  subnet: string;
  servers: InitSettings["servers"];
  vips?: string[];
  sshHosts?: string[];
  sshUser?: string;
  sshKey?: string;
  knownHosts?: string;
  interface?: string;
  haInterface: string;
  haSubnet: string;
  engine?: InitSettings["engine"];
  gateway?: string;
  os?: InitSettings["os"];
  protocol?: InitSettings["protocol"];
  path: string;
  tree: string;
  target?: InitSettings["target"];
  clients?: string;
  force?: boolean;
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command("init")
    .description("write a commented inventory for your site (DIR/inventory.yaml)")
    .argument("[dir]", "folder for inventory.yaml (and clients.csv)", ".")
    .option("--name <id>", "cluster id (default: the folder's name)")
    .option("--subnet <cidr>", "the install LAN", INIT_DEFAULTS.subnet)
    .option(
      "--servers <list>",
      "install servers as NAME=LAN_ADDRESS, comma separated",
      serverList,
      INIT_DEFAULTS.servers,
    )
    .option("--vips <list>", "one VIP per server (default: the subnet's top addresses)", list)
    .option("--ssh-hosts <list>", "management addresses (default: the LAN addresses)", list)
    .option("--ssh-user <user>", `SSH user (default ${DEFAULT_SSH_USER})`)
    .option("--ssh-key <file>", "SSH private key (default: the SSH agent)")
    .option("--known-hosts <file>", "known_hosts file the servers' host keys are checked against")
    .option("--interface <nic>", "LAN interface of every server (default eth0)")
    .option("--ha-interface <nic>", "crossover (heartbeat) interface", INIT_DEFAULTS.haInterface)
    .option(
      "--ha-subnet <cidr>",
      "crossover link subnet; servers get hosts .3, .4, ...",
      INIT_DEFAULTS.haSubnet,
    )
    .addOption(
      new Option(
        "--engine <engine>",
        "HA engine (default: heartbeat for 2 Debian servers, else keepalived)",
      ).choices(["heartbeat", "keepalived"]),
    )
    .option("--gateway <ip>", "an address that always answers on the LAN (ha.ping)")
    .addOption(
      new Option("--os <family>", "servers' OS family (default rhel)").choices(["rhel", "debian"]),
    )
    .addOption(
      new Option("--protocol <p>", "install protocol (default ftp)").choices(["ftp", "http"]),
    )
    .option("--path <path>", "tree path below the FTP/HTTP root", INIT_DEFAULTS.path)
    .option("--tree <dir>", "local install tree copied to every server", INIT_DEFAULTS.source)
    .addOption(
      new Option("--target <t>", "kickstart syntax (default rhel9)").choices([
        "rhel9",
        "rhel8",
        "rhel7",
        "legacy",
      ]),
    )
    .option(
      "--clients <csv>",
      "clients CSV: name,mac,ip[,server] (default: DIR/clients.csv, an example)",
    )
    .option("--force", "overwrite an existing DIR/inventory.yaml")
    .addHelpText(
      "after",
      examples(
        "ksorch init site --subnet 10.1.0.0/24 --servers ks1=10.1.0.11,ks2=10.1.0.12 --gateway 10.1.0.1 --clients macs.csv --tree /srv/rhel9",
        "ksorch init site --servers ks1=10.1.0.11,ks2=10.1.0.12,ks3=10.1.0.13 --subnet 10.1.0.0/24",
      ),
    )
    .action(async (dir: string, f: Flags) => {
      const root = resolve(dir);
      const file = join(root, "inventory.yaml");
      if (existsSync(file) && !f.force)
        throw new InputError(`${file} exists: choose another folder, or --force to overwrite it`);
      const name = f.name ?? basename(root).toLowerCase();
      if (!NAME_RE.test(name))
        throw new InputError(
          `cluster id "${name}" (the folder's name) is not usable: set --name, e.g. --name site1`,
        );
      const csvFile = f.clients ? resolve(f.clients) : join(root, "clients.csv");
      const example = !existsSync(csvFile);
      if (f.clients && example) throw new InputError(`--clients ${f.clients}: no such file`);
      const settings: InitSettings = {
        name,
        subnet: f.subnet,
        servers: f.servers,
        haInterface: f.haInterface,
        haSubnet: f.haSubnet,
        path: f.path,
        source: f.tree,
        csv: relative(root, csvFile),
        ...(f.vips ? { vips: f.vips } : {}),
        ...(f.sshHosts ? { sshHosts: f.sshHosts } : {}),
        ...(f.sshUser ? { sshUser: f.sshUser } : {}),
        ...(f.sshKey ? { sshKey: f.sshKey } : {}),
        ...(f.knownHosts ? { knownHosts: f.knownHosts } : {}),
        ...(f.interface ? { interface: f.interface } : {}),
        ...(f.engine ? { engine: f.engine } : {}),
        ...(f.gateway ? { ping: f.gateway } : {}),
        ...(f.os ? { os: f.os } : {}),
        ...(f.protocol ? { protocol: f.protocol } : {}),
        ...(f.target ? { target: f.target } : {}),
      };
      validCidr(f.subnet, "--subnet");
      const csvText = example ? exampleCsv(f.subnet) : undefined;
      const read = (p: string): string =>
        csvText !== undefined && p === csvFile ? csvText : readFileSync(p, "utf8");
      const shown = relative(process.cwd(), file) || file;
      const { text, inventory } = initInventory(settings, file, shown, read);
      if (csvText !== undefined) await writeAtomically(csvFile, csvText);
      await writeAtomically(file, text);
      const csvShown = relative(process.cwd(), csvFile);
      console.log(
        [
          `wrote ${shown}: ${count(inventory.servers.length, "server")}, ${count(inventory.clients.length, "client")} from ${csvShown}` +
            (example ? " (an example: put your clients in it)" : ""),
          "next:",
          ...(example ? [`  edit ${csvShown}: one row per client (name,mac,ip[,server])`] : []),
          `  ksorch validate ${shown}    # also checks the install tree ${inventory.install.source}`,
          `  ksorch plan ${shown}`,
          `  ksorch apply ${shown} --check`,
        ].join("\n"),
      );
      setExit(0);
    });
}
