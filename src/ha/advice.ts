// What ksorch tells the operator to change when a drill finds a weakness of the HA setup. The
// texts are engine specific because the fixes are: a finding is worth little without the
// configuration line that removes it.
import type { HaEngine } from "../inventory/types.js";

export type Finding =
  /** Two servers answered for one VIP (an engine died without releasing it). */
  | { kind: "double-owner"; vip: string; stale: string; lanInterface: string; prefixLength: number }
  /** Nobody took the VIP over. */
  | { kind: "no-takeover"; vip: string; mode: string }
  /** Taken over, but later than the inventory allows. */
  | { kind: "slow-takeover"; vip: string; takenMs: number; limitMs: number }
  /** DHCP did not end up on exactly one server, the holder of its VIP. */
  | { kind: "dhcp"; vip: string; running: string[] }
  /** The VIPs did not return home after the fault was undone although auto_failback is on. */
  | { kind: "no-failback"; vip: string };

export function adviceFor(engine: HaEngine, f: Finding): string {
  return engine === "heartbeat" ? heartbeat(f) : keepalived(f);
}

function heartbeat(f: Finding): string {
  switch (f.kind) {
    case "double-owner":
      return (
        `heartbeat on ${f.stale} died without running IPaddr stop, so ${f.vip} stayed on its ` +
        `${f.lanInterface} and both servers answer ARP for it. ksorch recommends a watchdog: ` +
        "`watchdog /dev/watchdog` in ha.cf with the softdog module loaded, so the kernel reboots a " +
        "node whose heartbeat stops (its addresses go with it) within deadtime; with fencing " +
        "hardware, STONITH (`stonith_host`) lets the survivor power the peer off before taking " +
        `over. Remove the leftover now with \`ip addr del ${f.vip}/${f.prefixLength} dev ` +
        `${f.lanInterface}\` on ${f.stale}.`
      );
    case "no-takeover":
      return f.mode === "link"
        ? "heartbeat only watches the links it sends heartbeats on (the crossover), so a dead LAN " +
            "link goes unnoticed: add `ping <a LAN address that is always up>` and " +
            "`respawn hacluster /usr/libexec/heartbeat/ipfail` to ha.cf so the node that lost the " +
            "LAN hands its resources over."
        : `no server took ${f.vip}: check that both nodes are listed in ha.cf, that haresources ` +
            "is identical on both, and heartbeat's log on the survivor.";
    case "slow-takeover":
      return (
        `takeover of ${f.vip} took ${f.takenMs} ms (limit ${f.limitMs} ms): lower ` +
        "`keepalive`/`deadtime` in the inventory's ha block (200ms/1s takes over in 0.4-1.6 s; " +
        "below 50ms/200ms heartbeat logs late heartbeats)."
      );
    case "dhcp":
      return (
        `DHCP runs on [${f.running.join(", ")}]: it must be a resource of ${f.vip}'s group in ` +
        "haresources (`<node> IPaddr::<vip>/<len>/<if> isc-dhcp-server`) and disabled at boot, so " +
        "exactly one DHCP server follows the VIP."
      );
    case "no-failback":
      return (
        `${f.vip} did not return home: heartbeat needs \`auto_failback on\` on both nodes, and ` +
        "its node takes its resources back only after initdead plus a fixed 10 s start delay."
      );
  }
}

function keepalived(f: Finding): string {
  switch (f.kind) {
    case "double-owner":
      return (
        `keepalived on ${f.stale} left ${f.vip} configured when it died. Supervise keepalived so ` +
        "it restarts at once (a starting keepalived removes the VIPs of instances in BACKUP " +
        `state), and remove the leftover now with \`ip addr del ${f.vip}/${f.prefixLength} dev ` +
        `${f.lanInterface}\` on ${f.stale}.`
      );
    case "no-takeover":
      return f.mode === "link"
        ? "add `track_interface { <LAN interface> }` to every vrrp_instance so a node whose LAN " +
            "link dies enters FAULT state and its peer becomes MASTER."
        : `no server took ${f.vip}: check that every vrrp_instance has the same virtual_router_id ` +
            "and unicast_peer list on all servers.";
    case "slow-takeover":
      return (
        `takeover of ${f.vip} took ${f.takenMs} ms (limit ${f.limitMs} ms): use ` +
        "`vrrp_version 3` with `advert_int 0.1` (0.1-0.4 s takeover)."
      );
    case "dhcp":
      return (
        `DHCP runs on [${f.running.join(", ")}]: start and stop it from notify_master/` +
        "notify_backup of the instance that holds its VIP."
      );
    case "no-failback":
      return `${f.vip} did not return home: give its home server the highest priority and do not set \`nopreempt\`.`;
  }
}
