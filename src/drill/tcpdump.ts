// Parser for `tcpdump -l -n -e -tt` lines: the drill runs tcpdump on the survivor to see who
// announces a moved VIP (gratuitous ARP) and when the survivor first answers a client on it.
// Formats checked against tcpdump 4.99 (Debian 12) on a veth pair; see test/drill/fixtures.

export interface ArpInfo {
  op: "request" | "reply";
  /** Sender protocol address (`tell X` of a request, `X is-at` of a reply). */
  senderIp: string;
  /** Address asked for (request) or announced (reply). */
  targetIp: string;
  /** `is-at` MAC of a reply. */
  isAt?: string;
}

export interface Ipv4Info {
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
}

export interface Packet {
  /** Capture time, milliseconds since the epoch (fractional: tcpdump gives microseconds). */
  atMs: number;
  srcMac: string;
  dstMac: string;
  arp?: ArpInfo;
  ipv4?: Ipv4Info;
}

const BROADCAST = "ff:ff:ff:ff:ff:ff";
const HEAD =
  /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype (\S+) \(0x[0-9a-f]+\), length \d+: (.*)$/;
const ARP_REQUEST = /^Request who-has (\S+)(?: \([0-9a-f:]{17}\))? tell (\S+),/;
const ARP_REPLY = /^Reply (\S+) is-at ([0-9a-f:]{17}),/;
// `a.b.c.d.port > e.f.g.h.port:` (TCP/UDP) or `a.b.c.d > e.f.g.h:` (ICMP and others).
const IPV4 = /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))? > (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?:/;

/** One packet line, or undefined for tcpdump's banner, statistics and protocols we ignore. */
export function parseTcpdumpLine(line: string): Packet | undefined {
  const head = HEAD.exec(line.trim());
  if (!head) return undefined;
  const [, ts, srcMac, dstMac, ethertype, rest] = head as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const base = { atMs: Number(ts) * 1000, srcMac, dstMac };
  if (ethertype === "ARP") {
    const arp = parseArp(rest);
    return arp ? { ...base, arp } : undefined;
  }
  if (ethertype === "IPv4") {
    const m = IPV4.exec(rest);
    if (!m) return undefined;
    const ipv4: Ipv4Info = { src: m[1] as string, dst: m[3] as string };
    if (m[2] !== undefined) ipv4.srcPort = Number(m[2]);
    if (m[4] !== undefined) ipv4.dstPort = Number(m[4]);
    return { ...base, ipv4 };
  }
  return undefined;
}

function parseArp(rest: string): ArpInfo | undefined {
  const req = ARP_REQUEST.exec(rest);
  if (req) return { op: "request", targetIp: req[1] as string, senderIp: req[2] as string };
  const rep = ARP_REPLY.exec(rest);
  if (rep) {
    const ip = rep[1] as string;
    return { op: "reply", senderIp: ip, targetIp: ip, isAt: rep[2] as string };
  }
  return undefined;
}

/**
 * A gratuitous ARP announces `ip` from the sender's MAC: a request asking for its own address
 * (`who-has X tell X`) or a reply broadcast to everyone. heartbeat's send_arp and keepalived
 * send both kinds.
 */
export function gratuitousArpFor(p: Packet): string | undefined {
  if (!p.arp) return undefined;
  if (p.arp.op === "request" && p.arp.senderIp === p.arp.targetIp) return p.arp.targetIp;
  if (p.arp.op === "reply" && p.dstMac === BROADCAST) return p.arp.senderIp;
  return undefined;
}

/** The address a packet answers for: an ARP reply's `is-at` address or an IPv4 source. */
export function answeredFrom(p: Packet): string | undefined {
  if (p.arp?.op === "reply") return p.arp.senderIp;
  return p.ipv4?.src;
}

/**
 * The tcpdump filter the drill uses: ARP, DHCP, and of the VIPs' traffic only what opens or
 * answers a conversation (UDP, ICMP, TCP SYN/RST). Bulk download data is left out: capturing
 * it costs the server CPU during the very moment being measured, and the kernel drops packets.
 */
export function captureFilter(vips: readonly string[]): string {
  const hosts = vips.map((v) => `host ${v}`).join(" or ");
  return `arp or port 67 or ((${hosts}) and (udp or icmp or tcp[tcpflags] & (tcp-syn|tcp-rst) != 0))`;
}
