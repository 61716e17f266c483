// The lab's wiring: one "switch" namespace holding the LAN bridge (and the heartbeat bridge
// when there are more than two servers), one namespace per host, veth pairs between them.
// Nothing is ever created in the root namespace. `ip -batch` keeps it to a few processes.
import { runOk } from "./run.js";
import type { LabPlan } from "./topology.js";

const batch = (lines: string[], netns?: string): Promise<unknown> =>
  runOk(["ip", ...(netns ? ["-n", netns] : []), "-batch", "-"], { input: lines.join("\n") + "\n" });

export function allNetns(plan: LabPlan): string[] {
  return [plan.switchNs, ...plan.servers.map((s) => s.netns), ...plan.clients.map((c) => c.netns)];
}

/** Commands run in the switch namespace: bridges, and every veth pair (host end moved out). */
export function switchCommands(plan: LabPlan): string[] {
  const lines = ["link set lo up", `link add ${plan.lanBridge} type bridge`];
  if (plan.hbBridge) lines.push(`link add ${plan.hbBridge} type bridge`);
  const plug = (port: string, bridge: string, netns: string, ifname: string): void => {
    lines.push(`link add ${port} type veth peer name ${ifname} netns ${netns}`);
    lines.push(`link set ${port} master ${bridge} up`);
  };
  for (const s of plan.servers) {
    plug(s.switchPort, plan.lanBridge, s.netns, "eth0");
    if (plan.hbBridge && s.hbSwitchPort) plug(s.hbSwitchPort, plan.hbBridge, s.netns, "eth1");
  }
  for (const c of plan.clients) plug(c.switchPort, plan.lanBridge, c.netns, "eth0");
  if (plan.gateway) lines.push(`addr add ${plan.gateway} dev ${plan.lanBridge}`);
  lines.push(`link set ${plan.lanBridge} up`);
  if (plan.hbBridge) lines.push(`link set ${plan.hbBridge} up`);
  return lines;
}

export async function createNetwork(plan: LabPlan): Promise<void> {
  await batch(allNetns(plan).map((ns) => `netns add ${ns}`));
  await batch(switchCommands(plan), plan.switchNs);
  const [first, second] = plan.servers;
  // Two servers: a crossover cable, i.e. one veth pair straight from eth1 to eth1.
  if (!plan.hbBridge && first && second)
    await batch([`link add eth1 type veth peer name eth1 netns ${second.netns}`], first.netns);
  await Promise.all([
    ...plan.servers.map((s) =>
      batch(
        [
          "link set lo up",
          `link set eth0 address ${s.lanMac}`,
          `addr add ${s.lan} dev eth0`,
          "link set eth0 up",
          ...(plan.servers.length > 1
            ? [`link set eth1 address ${s.hbMac}`, "link set eth1 up"]
            : []),
        ],
        s.netns,
      ),
    ),
    ...plan.clients.map((c) =>
      batch(["link set lo up", `link set eth0 address ${c.mac}`, "link set eth0 up"], c.netns),
    ),
  ]);
}
