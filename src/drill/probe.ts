// One command per server that tells everything `ksorch status` and the drill's health check
// need: the server's clock and UTC offset, addresses, links, which services run, and a cheap
// manifest of the install tree (paths and sizes, hashed). Sections are marked `@name` lines.
import { parseUtcOffset } from "../ha/logtime.js";
import { GUARD_NAME } from "../inventory/layout.js";
import { sh } from "../transport/quote.js";
import { parseAddrShow, parseLinkLine, type AddrEntry, type LinkEntry } from "./ipaddr.js";

/**
 * Process names (`pidof -x` also finds the guard, a script); the same on Debian and RHEL
 * families.
 */
const PROCESSES = {
  // ISC's dhcpd or Kea's kea-dhcp4, whichever the inventory chose (pidof takes both).
  dhcp: "dhcpd kea-dhcp4",
  tftp: "in.tftpd",
  ftp: "vsftpd",
  guard: GUARD_NAME,
} as const;

export type ServiceRole = keyof typeof PROCESSES | "ha";

export interface TreeManifest {
  /** Hash of the sorted `path size` list. */
  digest: string;
  files: number;
}

export interface ServerProbe {
  atMs: number;
  utcOffsetMinutes: number;
  addrs: AddrEntry[];
  links: LinkEntry[];
  running: Record<ServiceRole, boolean>;
  /** Absent when the tree was not probed or does not exist. */
  tree?: TreeManifest;
  /** The tree was probed and its directory does not exist. */
  treeMissing: boolean;
}

/** `find`'s line for each file: path relative to the tree, size. Sorted bytewise. */
export const MANIFEST_LINE = "%P %s\\n";

/** The install tree to take a manifest of, minus files ksorch renders into it (kickstarts). */
export interface TreeProbe {
  dir: string;
  exclude: string[];
}

/** Without `tree` the manifest is skipped: the drill probes often and needs no tree. */
export function probeCommand(haRunningProbe: string, tree?: TreeProbe): string {
  const services = (Object.entries(PROCESSES) as [ServiceRole, string][]).map(
    ([role, procs]) => sh`pidof -x ${procs.split(" ")} >/dev/null && echo ${role};`,
  );
  return [
    sh`echo @time; date +%s%N; date +%z`,
    "echo @addr; ip -o addr show",
    "echo @link; ip -o link show",
    "echo @svc",
    ...services,
    `${haRunningProbe} && echo ha;`,
    "echo @tree",
    tree === undefined ? "true" : treeManifestCommand(tree),
  ].join("\n");
}

function treeManifestCommand(tree: TreeProbe): string {
  const find = sh`find . -type f ${tree.exclude.flatMap((f) => ["!", "-path", `./${f}`])}`;
  return [
    sh`if [ -d ${tree.dir} ]; then cd ${tree.dir}`,
    `${find} -printf ${sh`${MANIFEST_LINE}`} | LC_ALL=C sort | sha256sum`,
    `${find} | wc -l; else echo missing; fi`,
  ].join(" && ");
}

export function parseProbe(stdout: string): ServerProbe {
  const sections = new Map<string, string[]>();
  let current = "";
  for (const line of stdout.split("\n")) {
    if (/^@\w+$/.test(line)) {
      current = line.slice(1);
      sections.set(current, []);
    } else sections.get(current)?.push(line);
  }
  const [ns, zone] = sections.get("time") ?? [];
  const svc = new Set((sections.get("svc") ?? []).map((l) => l.trim()));
  const probe: ServerProbe = {
    atMs: Number(ns) / 1e6,
    utcOffsetMinutes: parseUtcOffset(zone ?? "") ?? 0,
    addrs: parseAddrShow((sections.get("addr") ?? []).join("\n")),
    links: (sections.get("link") ?? []).flatMap((l) => parseLinkLine(l) ?? []),
    running: {
      dhcp: svc.has("dhcp"),
      tftp: svc.has("tftp"),
      ftp: svc.has("ftp"),
      guard: svc.has("guard"),
      ha: svc.has("ha"),
    },
    treeMissing: false,
  };
  const [sum, count] = (sections.get("tree") ?? []).filter((l) => l.trim() !== "");
  if (sum === "missing") probe.treeMissing = true;
  if (sum !== undefined && count !== undefined) {
    probe.tree = { digest: sum.split(/\s+/)[0] ?? "", files: Number(count) };
  }
  return probe;
}
