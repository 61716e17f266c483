import { describe, expect, it } from "vitest";
import {
  parseAddrShow,
  parseLinkLine,
  parseMonitorLine,
  vipsHeld,
} from "../../src/drill/ipaddr.js";

// `ip -o addr show` and `TZ=UTC0 ip -o -ts monitor address link` from iproute2 6.1 (Debian 12).
const SHOW = [
  "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
  "1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever",
  "2: eth0    inet 192.168.77.1/24 scope global eth0\\       valid_lft forever preferred_lft forever",
  "2: eth0    inet 192.168.77.253/24 brd 192.168.77.255 scope global secondary eth0:0\\       valid_lft forever preferred_lft forever",
  "2: eth0    inet6 fe80::ff:fe00:a/64 scope link \\       valid_lft forever preferred_lft forever",
].join("\n");

describe("parseAddrShow", () => {
  it("reads every address with its interface and alias label", () => {
    const entries = parseAddrShow(SHOW);
    expect(entries).toHaveLength(5);
    expect(entries[3]).toEqual({
      ifname: "eth0",
      family: "inet",
      address: "192.168.77.253",
      prefixLength: 24,
      label: "eth0:0",
    });
    expect(entries[2]?.label).toBe("eth0");
    expect(entries[4]?.family).toBe("inet6");
  });

  it("finds which VIPs a server holds", () => {
    const held = vipsHeld(parseAddrShow(SHOW), ["192.168.77.253", "192.168.77.254"]);
    expect(held.map((e) => e.address)).toEqual(["192.168.77.253"]);
  });
});

describe("parseMonitorLine", () => {
  it("reads an added address with the server's microsecond timestamp", () => {
    const l = parseMonitorLine(
      "[2026-11-27T14:12:44.896659] 3: eth0    inet 192.168.77.253/24 brd 192.168.77.255 scope global eth0:0\\       valid_lft forever preferred_lft forever",
    );
    expect(l).toEqual({
      kind: "addr",
      atMs: Date.UTC(2026, 10, 27, 14, 12, 44, 896),
      deleted: false,
      entry: {
        ifname: "eth0",
        family: "inet",
        address: "192.168.77.253",
        prefixLength: 24,
        label: "eth0:0",
      },
    });
  });

  it("reads a deleted address", () => {
    const l = parseMonitorLine(
      "[2026-11-27T14:12:44.898633] Deleted 3: eth0    inet 192.168.77.253/24 brd 192.168.77.255 scope global eth0:0\\       valid_lft forever preferred_lft forever",
    );
    expect(l?.kind).toBe("addr");
    expect(l?.deleted).toBe(true);
  });

  it("reads link carrier changes, treating NO-CARRIER as down even with LOWER_UP", () => {
    const up = parseMonitorLine(
      "[2026-11-27T14:13:34.448202] 3: eth0@eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether c6:c8:66:92:e8:ec brd ff:ff:ff:ff:ff:ff",
    );
    expect(up).toEqual({
      kind: "link",
      atMs: Date.UTC(2026, 10, 27, 14, 13, 34, 448),
      deleted: false,
      entry: { ifname: "eth0", carrier: true, mac: "c6:c8:66:92:e8:ec" },
    });
    const flapping = parseMonitorLine(
      "[2026-11-27T14:13:34.447043] 3: eth0@eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether c6:c8:66:92:e8:ec brd ff:ff:ff:ff:ff:ff",
    );
    expect(flapping?.kind === "link" && flapping.entry.carrier).toBe(false);
    const down = parseMonitorLine(
      "[2026-11-27T14:13:34.551197] 2: eth1@eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \\    link/ether 82:f7:c6:55:8c:a8 brd ff:ff:ff:ff:ff:ff",
    );
    expect(down?.kind === "link" && down.entry.carrier).toBe(false);
  });

  it("ignores lines without a timestamp", () => {
    expect(parseMonitorLine("2: eth0    inet 192.168.77.1/24 scope global eth0")).toBeUndefined();
  });
});

describe("parseLinkLine", () => {
  it("reads `ip -o link show` lines", () => {
    expect(
      parseLinkLine(
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff",
      ),
    ).toEqual({ ifname: "eth0", carrier: true, mac: "02:00:00:00:00:0a" });
  });
});
