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
  | { kind: "no-failback"; vip: string }
  /** A VIP moved although only the HA link was lost: the engine heard its peer on it alone. */
  | { kind: "crossover-takeover"; vip: string };

export function adviceFor(engine: HaEngine, f: Finding): string {
  return engine === "heartbeat" ? heartbeat(f) : keepalived(f);
}

function heartbeat(f: Finding): string {
  switch (f.kind) {
    case "double-owner":
      return (
        `heartbeat on ${f.stale} died or froze without releasing its VIP, so ${f.vip} stayed on ` +
        `its ${f.lanInterface} and both servers answered ARP for it. ksorch's HA guard releases ` +
        "it within a tick of the engine's death and restarts an engine woken from a stop: check " +
        `that it runs on ${f.stale} (\`service ksorch-ha-guard status\`, log ` +
        "/var/log/ksorch-ha-guard.log). A hung server keeps the address until it wakes: " +
        "`ha.fence` (e.g. ipmitool ... chassis power off) lets the survivor power it off first. " +
        `Remove the leftover now with \`ip addr del ${f.vip}/${f.prefixLength} dev ` +
        `${f.lanInterface}\` on ${f.stale}.`
      );
    case "no-takeover":
      return f.mode === "link"
        ? "heartbeat still hears the server over the crossover link, so only the server itself " +
            "can tell its LAN is gone: ksorch's HA guard does (carrier, and `ha.ping` with the " +
            "peers' LAN addresses) and runs hb_standby. Set `ha.ping` to an address that always " +
            "answers on the LAN (the gateway) and check that ksorch-ha-guard runs."
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
        "haresources (`<node> ksorch-vip::<vip>/<len>/<if> isc-dhcp-server`) and disabled at boot, so " +
        "exactly one DHCP server follows the VIP."
      );
    case "crossover-takeover":
      return (
        `${f.vip} moved although its owner was alive: heartbeat must hear its peer on two paths, ` +
        "`ucast <crossover NIC> <peer>` and `ucast <LAN NIC> <peer's LAN address>` in ha.cf, so " +
        "that a lost crossover link is not taken for a dead peer (ksorch renders both)."
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
        `keepalived on ${f.stale} left ${f.vip} configured when it died or froze. ksorch's HA ` +
        "guard releases it within a tick of keepalived's death: check that it runs on " +
        `${f.stale} (\`service ksorch-ha-guard status\`, log /var/log/ksorch-ha-guard.log), and ` +
        `remove the leftover now with \`ip addr del ${f.vip}/${f.prefixLength} dev ` +
        `${f.lanInterface}\` on ${f.stale}.`
      );
    case "no-takeover":
      return f.mode === "link"
        ? "send VRRP adverts over the LAN interface (keepalived tracks its carrier) and track the " +
            "file ksorch's HA guard writes when `ha.ping` and the peers stop answering " +
            "(`track_file`), so a node whose LAN dies enters FAULT and its peer becomes MASTER."
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
    case "crossover-takeover":
      return (
        `${f.vip} moved although its owner was alive: send VRRP adverts over the LAN ` +
        "(`interface <LAN NIC>`, `unicast_peer` the peers' LAN addresses), where silence means " +
        "the owner cannot serve, not over the crossover link alone (ksorch renders the LAN)."
      );
    case "no-failback":
      return `${f.vip} did not return home: give its home server the highest priority and do not set \`nopreempt\`.`;
  }
}
