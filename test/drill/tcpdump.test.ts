import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  answeredFrom,
  captureFilter,
  gratuitousArpFor,
  parseTcpdumpLine,
} from "../../src/drill/tcpdump.js";

// Captured with `tcpdump -l -n -e -tt` (4.99.3, Debian 12) on a veth pair.
const GARP_REQUEST =
  "1795788734.536619 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.77.253 tell 192.168.77.253, length 28";
const GARP_REQUEST_THA =
  "1795788734.536640 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.77.253 (ff:ff:ff:ff:ff:ff) tell 192.168.77.253, length 28";
const GARP_REPLY =
  "1795788734.536646 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 192.168.77.253 is-at 02:00:00:00:00:0a, length 28";
const CLIENT_REQUEST =
  "1795788734.583749 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.77.253 tell 192.168.77.128, length 28";
const UNICAST_REPLY =
  "1795788734.583760 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype ARP (0x0806), length 42: Reply 192.168.77.253 is-at 02:00:00:00:00:0a, length 28";
const TCP_SYN =
  "1795788734.583764 02:00:00:00:00:0b > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 74: 192.168.77.128.36658 > 192.168.77.253.21: Flags [S], seq 601622798, win 64240, options [mss 1460,sackOK,TS val 1241069785 ecr 0,nop,wscale 10], length 0";
const TCP_ANSWER =
  "1795788734.583895 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 54: 192.168.77.253.21 > 192.168.77.128.36658: Flags [R.], seq 0, ack 601622799, win 0, length 0";

describe("parseTcpdumpLine", () => {
  it("reads time, MACs and a gratuitous ARP request", () => {
    const p = parseTcpdumpLine(GARP_REQUEST);
    expect(p?.atMs).toBeCloseTo(1795788734536.619, 2);
    expect(p?.srcMac).toBe("02:00:00:00:00:0a");
    expect(p?.dstMac).toBe("ff:ff:ff:ff:ff:ff");
    expect(p?.arp).toEqual({
      op: "request",
      senderIp: "192.168.77.253",
      targetIp: "192.168.77.253",
    });
  });

  it("recognises both kinds of gratuitous ARP and not an ordinary request or reply", () => {
    const vipOf = (l: string) => gratuitousArpFor(parseTcpdumpLine(l)!);
    expect(vipOf(GARP_REQUEST)).toBe("192.168.77.253");
    expect(vipOf(GARP_REQUEST_THA)).toBe("192.168.77.253");
    expect(vipOf(GARP_REPLY)).toBe("192.168.77.253");
    expect(vipOf(CLIENT_REQUEST)).toBeUndefined();
    expect(vipOf(UNICAST_REPLY)).toBeUndefined();
  });

  it("reads IPv4 addresses and ports, and who answers", () => {
    const syn = parseTcpdumpLine(TCP_SYN)!;
    expect(syn.ipv4).toEqual({
      src: "192.168.77.128",
      srcPort: 36658,
      dst: "192.168.77.253",
      dstPort: 21,
    });
    expect(answeredFrom(parseTcpdumpLine(TCP_ANSWER)!)).toBe("192.168.77.253");
    expect(answeredFrom(parseTcpdumpLine(UNICAST_REPLY)!)).toBe("192.168.77.253");
    expect(answeredFrom(parseTcpdumpLine(CLIENT_REQUEST)!)).toBeUndefined();
  });

  it("reads ICMP lines without ports", () => {
    const p = parseTcpdumpLine(
      "1795788734.600000 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 98: 192.168.77.253 > 192.168.77.128: ICMP echo reply, id 7, seq 1, length 64",
    );
    expect(p?.ipv4).toEqual({ src: "192.168.77.253", dst: "192.168.77.128" });
  });

  it("ignores banners, statistics and other ethertypes", () => {
    expect(
      parseTcpdumpLine(
        "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
      ),
    ).toBeUndefined();
    expect(parseTcpdumpLine("7 packets captured")).toBeUndefined();
    expect(
      parseTcpdumpLine(
        "1795788734.756847 02:00:00:00:00:0a > 33:33:00:00:00:02, ethertype IPv6 (0x86dd), length 70: fe80::1 > ff02::2: ICMP6, router solicitation, length 16",
      ),
    ).toBeUndefined();
  });
});

describe("captureFilter", () => {
  it("captures ARP, DHCP and what opens or answers a conversation with a VIP", () => {
    expect(captureFilter(["192.168.0.253", "192.168.0.254"])).toBe(
      "arp or port 67 or ((host 192.168.0.253 or host 192.168.0.254) and (udp or icmp or tcp[tcpflags] & (tcp-syn|tcp-rst) != 0))",
    );
  });

  it("is a filter tcpdump accepts", () => {
    // -d compiles the filter and prints the program without capturing anything.
    const r = spawnSync("tcpdump", ["-d", "-i", "lo", captureFilter(["192.168.0.253"])], {
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/syntax error/);
    expect(r.status).toBe(0);
  });
});
