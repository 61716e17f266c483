// A two-server drill observation built in memory, the shape the lab produces: server1 holds
// .253 (and DHCP), server2 holds .254; the fault hits server1 at T0.
import type { MonitorLine } from "../../src/drill/ipaddr.js";
import type { Packet } from "../../src/drill/tcpdump.js";
import type { FaultMode, Observation, Snapshot } from "../../src/drill/types.js";

export const T0 = Date.UTC(2026, 10, 27, 14, 0, 0, 300);
export const VIP1 = "192.168.0.253";
export const VIP2 = "192.168.0.254";
export const MAC1 = "02:00:00:00:01:01";
export const MAC2 = "02:00:00:00:02:01";
export const CLIENT = "192.168.0.128";

export function vipLine(atMs: number, vip: string, deleted = false): MonitorLine {
  return {
    kind: "addr",
    atMs,
    deleted,
    entry: { ifname: "eth0", family: "inet", address: vip, prefixLength: 24, label: "eth0:0" },
  };
}

export function carrierLine(atMs: number, carrier: boolean): MonitorLine {
  return { kind: "link", atMs, deleted: false, entry: { ifname: "eth0", carrier } };
}

export function garp(atMs: number, mac: string, vip: string): Packet {
  return {
    atMs,
    srcMac: mac,
    dstMac: "ff:ff:ff:ff:ff:ff",
    arp: { op: "request", senderIp: vip, targetIp: vip },
  };
}

export function answer(atMs: number, mac: string, vip: string): Packet {
  return {
    atMs,
    srcMac: mac,
    dstMac: "02:00:00:00:99:01",
    ipv4: { src: vip, srcPort: 21, dst: CLIENT, dstPort: 40000 },
  };
}

function snapshot(server: string, atMs: number, vips: string[]): Snapshot {
  return {
    server,
    atMs,
    addrs: vips.map((address) => ({
      ifname: "eth0",
      family: "inet",
      address,
      prefixLength: 24,
      label: "eth0:0",
    })),
    links: [{ ifname: "eth0", carrier: true }],
  };
}

/** A healthy cluster observed from T0-2 s to T0+20 s, fault at T0, nothing happening yet. */
export function baseObservation(mode: FaultMode = "stop"): Observation {
  return {
    setup: {
      engine: "heartbeat",
      mode,
      target: "server1",
      targetVips: [VIP1],
      vips: [
        { vip: VIP1, home: "server1" },
        { vip: VIP2, home: "server2" },
      ],
      dhcpHome: "server1",
      dhcpServer: "isc",
      lan: {
        server1: { interface: "eth0", mac: MAC1, address: "192.168.0.1" },
        server2: { interface: "eth0", mac: MAC2, address: "192.168.0.2" },
      },
      clientIps: [CLIENT],
      maxTakeoverMs: 2000,
      autoFailback: true,
      fencing: false,
    },
    startedAtMs: T0 - 2000,
    faultAtMs: T0,
    endedAtMs: T0 + 20_000,
    snapshots: [snapshot("server1", T0 - 2000, [VIP1]), snapshot("server2", T0 - 2000, [VIP2])],
    monitor: [],
    hostDown: [],
    packets: [],
    haLog: [],
    services: [],
    transfers: [],
  };
}

/** `service heartbeat stop` on server1: clean handover at +420 ms, failback after undo at +5 s. */
export function stopScenario(): Observation {
  const obs = baseObservation("stop");
  obs.undoAtMs = T0 + 5000;
  obs.monitor = [
    { server: "server1", line: vipLine(T0 + 300, VIP1, true) },
    { server: "server2", line: vipLine(T0 + 420, VIP1) },
    { server: "server2", line: vipLine(T0 + 17_000, VIP1, true) },
    { server: "server1", line: vipLine(T0 + 17_100, VIP1) },
  ];
  obs.packets = [
    { server: "server2", packet: answer(T0 - 500, MAC1, VIP1) },
    { server: "server2", packet: garp(T0 + 425, MAC2, VIP1) },
    { server: "server2", packet: answer(T0 + 900, MAC2, VIP1) },
  ];
  obs.services = [
    {
      server: "server1",
      atMs: T0 + 1500,
      phase: "after-takeover",
      dhcp: false,
      tftp: true,
      ftp: true,
      ha: false,
      lanUp: true,
    },
    {
      server: "server2",
      atMs: T0 + 1500,
      phase: "after-takeover",
      dhcp: true,
      tftp: true,
      ftp: true,
      ha: true,
      lanUp: true,
    },
  ];
  obs.clients = Array.from({ length: 8 }, (_, i) => ({
    client: `client${i + 1}`,
    finished: true,
    checksumOk: true,
  }));
  obs.transfers = [
    { atMs: T0 - 1000, client: "client1", server: "server1", bytes: 4_000_000 },
    { atMs: T0 - 1000, client: "client2", server: "server2", bytes: 3_000_000 },
    { atMs: T0 + 3000, client: "client1", server: "server2", bytes: 5_000_000 },
  ];
  return obs;
}

/** kill -9 of heartbeat on server1: server2 takes .253 at +1.3 s but server1 keeps it too. */
export function crashScenario(undo = true): Observation {
  const obs = baseObservation("crash");
  obs.monitor = [{ server: "server2", line: vipLine(T0 + 1300, VIP1) }];
  if (undo) {
    obs.undoAtMs = T0 + 5000;
    obs.monitor.push({ server: "server2", line: vipLine(T0 + 17_000, VIP1, true) });
  }
  obs.services = [
    {
      server: "server1",
      atMs: T0 + 2500,
      phase: "after-takeover",
      dhcp: true,
      tftp: true,
      ftp: true,
      ha: false,
      lanUp: true,
    },
    {
      server: "server2",
      atMs: T0 + 2500,
      phase: "after-takeover",
      dhcp: true,
      tftp: true,
      ftp: true,
      ha: true,
      lanUp: true,
    },
  ];
  return obs;
}
