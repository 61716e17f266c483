// `ksorch lab up|down|status|image|tree|install`: the local lab of namespaces (src/lab).
import { Command, InvalidArgumentError, Option } from "commander";
import { InputError } from "../../errors.js";
import { labDown } from "../../lab/down.js";
import { serveFenceAgent } from "../../lab/fence.js";
import { ensureImage } from "../../lab/image.js";
import { DEFAULT_TREE_SIZE, ensureTree, parseSize } from "../../lab/tree/build.js";
import { DEFAULT_LAB, LAB_NAME_HINT, isLabName } from "../../lab/paths.js";
import { DEFAULT_INVENTORY } from "../../inventory/load.js";
import { labStatus } from "../../lab/status.js";
import { formatReport, formatStatus } from "../../lab/format.js";
import { examples } from "../examples.js";
import { printJson } from "../output.js";
import { labUp } from "../../lab/up.js";
import { labNameFor, readLabInventory } from "../../lab/inventory.js";
import { runInstallWave } from "../../lab/client/wave.js";
import { PROFILES, type ProfileName } from "../../lab/client/profile.js";
import type { ClientReport } from "../../lab/client/report.js";
import { withShapedServers } from "../../lab/faults.js";
import { readState } from "../../lab/state.js";
import type { SetExit } from "./index.js";

const log = (line: string): void => console.error(line);

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

/** Refused before anything runs: the name becomes namespace names and a folder to remove. */
function labNameArg(value: string): string {
  if (!isLabName(value)) throw new InvalidArgumentError(`a lab name is ${LAB_NAME_HINT}`);
  return value;
}

function mbit(value: string): number {
  const n = int(value);
  if (n < 1) throw new InvalidArgumentError("expected a rate of at least 1 Mbit/s");
  return n;
}

async function serverNames(lab: string): Promise<string[]> {
  const state = await readState(lab);
  if (!state) throw new InputError(`lab ${lab} is not up (run: ksorch lab up --name ${lab})`);
  return state.plan.servers.map((s) => s.name);
}

function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new InputError("the lab needs root (namespaces, mounts, veths): run it as root");
}

/** `--json`: the value as one JSON document; otherwise the text. */
function print(json: boolean | undefined, value: unknown, text: string): void {
  if (json) printJson(value);
  else console.log(text);
}

interface Named {
  name?: string;
  inventory?: string;
}

/** --name, else the lab --inventory was written for (or its cluster id), else the default lab. */
function labName(o: Named): string {
  if (o.name !== undefined) return o.name;
  if (o.inventory === undefined) return DEFAULT_LAB;
  return labNameFor(readLabInventory(o.inventory), o.inventory);
}

export function register(program: Command, setExit: SetExit): void {
  const lab = program
    .command("lab")
    .description("local lab of Linux namespaces (needs root)")
    .addHelpText(
      "after",
      examples(
        "ksorch lab up --inventory inventory/lab3.yaml",
        "ksorch lab status --inventory inventory/lab3.yaml",
        "ksorch lab down --inventory inventory/lab3.yaml",
      ),
    );
  const name = (c: Command, inventory = "the inventory the lab is for (its name comes from it)") =>
    c
      .option(
        "--name <name>",
        `lab name: namespaces <name>.*, state in /var/lib/ksorch/labs/<name> (default: the lab --inventory is for, else ${DEFAULT_LAB})`,
        labNameArg,
      )
      .option("--inventory <file>", inventory);

  name(
    lab.command("up"),
    `hosts, MACs, addresses, and the lab's name, ports and key paths when it has them (default ${DEFAULT_INVENTORY})`,
  )
    .description("build or reuse the image, then start the servers and clients")
    .option("--servers <n>", "number of servers (default: the inventory's)", int)
    .option("--clients <n>", "number of install clients (default: the inventory's)", int)
    .option(
      "--port-base <port>",
      "server i's sshd on 127.0.0.1:(base+i); default from the name",
      int,
    )
    .option("--tree-size <size>", "size of the cached install tree", DEFAULT_TREE_SIZE)
    .option("--json", "print the lab's status as JSON")
    .addHelpText(
      "after",
      examples(
        "ksorch lab up",
        "ksorch lab up --inventory inventory/lab3.yaml",
        "ksorch lab up --name wave --clients 20",
      ),
    )
    .action(
      async (
        o: Named & {
          servers?: number;
          clients?: number;
          portBase?: number;
          treeSize: string;
          json?: boolean;
        },
      ) => {
        requireRoot();
        const r = await labUp(
          {
            ...(o.name !== undefined ? { name: o.name } : {}),
            inventory: o.inventory ?? DEFAULT_INVENTORY,
            treeBytes: parseSize(o.treeSize),
            ...(o.servers !== undefined ? { servers: o.servers } : {}),
            ...(o.clients !== undefined ? { clients: o.clients } : {}),
            ...(o.portBase !== undefined ? { portBase: o.portBase } : {}),
          },
          log,
        );
        print(o.json, r.status, formatStatus(r.status));
        setExit(r.status.up ? 0 : 1);
      },
    );

  name(lab.command("down"))
    .description("remove every namespace, process and file of the lab (idempotent)")
    .option("--json", "print what was removed as JSON")
    .addHelpText(
      "after",
      examples(
        "ksorch lab down",
        "ksorch lab down --inventory inventory/lab3.yaml",
        "ksorch lab down --name wave --json",
      ),
    )
    .action(async (o: Named & { json?: boolean }) => {
      requireRoot();
      const r = await labDown(labName(o), log);
      if (r.unrecorded.length > 0)
        log(`lab ${r.name}: left alone, not recorded by lab up: ${r.unrecorded.join(", ")}`);
      print(
        o.json,
        r,
        `lab ${r.name}: down (${r.killed.length} processes, ${r.namespaces.length} namespaces removed)`,
      );
    });

  // Started by `lab up` in the switch namespace (src/lab/fence.ts); not for users.
  name(lab.command("fence-agent", { hidden: true }))
    .description("serve the lab's fencing requests on its gateway address")
    .action(async (o: Named) => {
      requireRoot();
      await serveFenceAgent(labName(o));
    });

  name(lab.command("status"))
    .description("hosts, namespaces, PIDs, addresses, ports and the LAN bridge")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      examples("ksorch lab status", "ksorch lab status --inventory inventory/lab3.yaml --json"),
    )
    .action(async (o: Named & { json?: boolean }) => {
      const s = await labStatus(labName(o));
      print(o.json, s, formatStatus(s));
      setExit(s.up ? 0 : 1);
    });

  lab
    .command("image")
    .description("build the cached Debian image and install tree if missing (for CI set-up)")
    .option("--tree-size <size>", "size of the install tree", DEFAULT_TREE_SIZE)
    .addHelpText("after", examples("ksorch lab image"))
    .action(async (o: { treeSize: string }) => {
      requireRoot();
      const bytes = parseSize(o.treeSize);
      const r = await ensureImage(log);
      log(r.built ? `image built in ${r.durationMs} ms: ${r.dir}` : `image cached: ${r.dir}`);
      const t = await ensureTree(bytes, log);
      log(
        `${t.built ? "tree built" : "tree cached"}: ${t.dir} (${t.files} files, ${t.bytes} bytes)`,
      );
    });

  lab
    .command("tree")
    .description("build the cached install tree (rebuilt when --size changes)")
    .option("--size <size>", "total size, e.g. 32M, 1G", DEFAULT_TREE_SIZE)
    .addHelpText("after", examples("ksorch lab tree", "ksorch lab tree --size 1G"))
    .action(async (o: { size: string }) => {
      requireRoot();
      const t = await ensureTree(parseSize(o.size), log);
      log(
        `${t.built ? "tree built" : "tree cached"}: ${t.dir} (${t.files} files, ${t.bytes} bytes)`,
      );
    });

  name(lab.command("install"))
    .description(
      "run install clients in parallel: DHCP, TFTP, pxelinux/GRUB, kickstart, stage2, dnf",
    )
    .option("--clients <names>", "comma-separated client names (default: all)")
    .option("--uefi <names>", "comma-separated clients that boot as x64 UEFI (GRUB), not BIOS")
    .option("--timeout <seconds>", "give up on a client after this long", int, 300)
    .option("--keep", "keep each client's files (boot files, stage2, installroot) under clients/")
    .addOption(
      new Option(
        "--profile <profile>",
        "how patient the clients are: real PCs and installer, or patient",
      )
        .choices(PROFILES)
        .default("real"),
    )
    .option(
      "--rate <mbit>",
      "shape every server's LAN link to this many Mbit/s during the wave (the paper's NICs: 100)",
      mbit,
    )
    .option("--download-only", "dnf downloads the packages without installing them")
    .option("--json", "print the client reports as JSON")
    .addHelpText(
      "after",
      examples(
        "ksorch lab install",
        "ksorch lab install --inventory inventory/lab3.yaml --clients client1,client2 --uefi client2",
        "ksorch lab install --profile patient --rate 100 --json",
      ),
    )
    .action(
      async (
        o: Named & {
          clients?: string;
          uefi?: string;
          timeout: number;
          keep?: boolean;
          profile: ProfileName;
          downloadOnly?: boolean;
          rate?: number;
          json?: boolean;
        },
      ) => {
        requireRoot();
        const name = labName(o);
        const names = o.clients ? o.clients.split(",").filter((n) => n !== "") : [];
        log(`lab ${name}: install wave of ${names.length > 0 ? names.join(", ") : "all clients"}`);
        // Each client's line as it finishes: on stdout for people, on stderr beside --json.
        const wave = (): Promise<ClientReport[]> =>
          runInstallWave(name, names, {
            timeoutMs: o.timeout * 1000,
            keepFiles: o.keep === true,
            profile: o.profile,
            dnf: o.downloadOnly ? "downloadonly" : "install",
            uefi: o.uefi ? o.uefi.split(",").filter((n) => n !== "") : [],
            onReport: (r) => (o.json ? log : console.log)(formatReport(r)),
          });
        const rate = o.rate;
        const reports =
          rate === undefined
            ? await wave()
            : await withShapedServers(name, await serverNames(name), rate, wave);
        if (o.json) printJson(reports);
        setExit(reports.every((r) => r.verdict === "pass") ? 0 : 1);
      },
    );
}
