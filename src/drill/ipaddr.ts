// Parsers for what `ip` prints about addresses and links: `ip -o addr show` (a snapshot) and
// `ip -o -ts monitor address link` (every change, stamped by the server). The drill reads who
// holds each VIP from these, with the server's own timestamps. Run the monitor with TZ=UTC0:
// `-ts` prints local time without a zone.

export interface AddrEntry {
  ifname: string;
  family: "inet" | "inet6";
  address: string;
  prefixLength: number;
  /** The alias label (`eth0:0`) when there is one, else the interface name. */
  label: string;
}

export interface LinkEntry {
  ifname: string;
  /** Carrier present (LOWER_UP without NO-CARRIER): addresses on it can answer on the wire. */
  carrier: boolean;
  mac?: string;
}

export type MonitorLine =
  | { kind: "addr"; atMs: number; deleted: boolean; entry: AddrEntry }
  | { kind: "link"; atMs: number; deleted: boolean; entry: LinkEntry };

const ADDR = /^\d+:\s+(\S+)\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)\s*(.*)$/;
const LINK = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([A-Z0-9_,-]*)>(?:.*?link\/ether ([0-9a-f:]{17}))?/;
const STAMP = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)\]\s+(Deleted\s+)?(.*)$/;

/** One line of `ip -o addr show`, or undefined for anything else. */
export function parseAddrLine(line: string): AddrEntry | undefined {
  const m = ADDR.exec(line.trim());
  if (!m) return undefined;
  const [, ifname, family, address, prefix, rest] = m as unknown as [
    string,
    string,
    "inet" | "inet6",
    string,
    string,
    string,
  ];
  // The label is the token naming this interface or one of its aliases, before `\ valid_lft`.
  const tokens = (rest.split("\\")[0] ?? "").trim().split(/\s+/);
  const label = tokens.find((t) => t === ifname || t.startsWith(`${ifname}:`)) ?? ifname;
  return { ifname, family, address, prefixLength: Number(prefix), label };
}

export function parseAddrShow(output: string): AddrEntry[] {
  return output.split("\n").flatMap((l) => parseAddrLine(l) ?? []);
}

/** One line of `ip -o link show`, or undefined. */
export function parseLinkLine(line: string): LinkEntry | undefined {
  const m = LINK.exec(line.trim());
  if (!m) return undefined;
  const flags = (m[2] as string).split(",");
  const entry: LinkEntry = {
    ifname: m[1] as string,
    carrier: flags.includes("LOWER_UP") && !flags.includes("NO-CARRIER"),
  };
  if (m[3] !== undefined) entry.mac = m[3];
  return entry;
}

/** One line of `TZ=UTC0 ip -o -ts monitor address link`, or undefined. */
export function parseMonitorLine(line: string): MonitorLine | undefined {
  const m = STAMP.exec(line.trim());
  if (!m) return undefined;
  const atMs = Date.parse(`${m[1] as string}Z`);
  const deleted = m[2] !== undefined;
  const body = m[3] as string;
  const addr = parseAddrLine(body);
  if (addr) return { kind: "addr", atMs, deleted, entry: addr };
  const link = parseLinkLine(body);
  if (link) return { kind: "link", atMs, deleted, entry: link };
  return undefined;
}

/** Which of `vips` a snapshot shows, with the interface each is on. */
export function vipsHeld(entries: readonly AddrEntry[], vips: readonly string[]): AddrEntry[] {
  return entries.filter((e) => e.family === "inet" && vips.includes(e.address));
}
