// The benchmarks' hands on ksorch and its lab: the built CLI, fresh labs, the SSH endpoints of a
// lab inventory (for Ansible, rsync and plain ssh), and the cluster's health after an apply.
import { URL } from "node:url";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { log, timed } from "./proc.mjs";

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const CLI = join(ROOT, "dist/cli/main.js");

/** `ksorch ARGS...` by the built CLI, timed. */
export const ksorch = (args, opts) => timed(["node", CLI, ...args], opts);

export const inventoryOf = (lab) => `/var/lib/ksorch/labs/${lab}/inventory.yaml`;

/** A lab built afresh (down, then up): nothing of an earlier run is left on its servers. */
export async function freshLab(lab, args = []) {
  await ksorch(["lab", "down", "--name", lab]);
  const r = await ksorch(["lab", "up", "--name", lab, ...args]);
  log(`lab ${lab} up (${Math.round(r.wallMs)} ms)`);
  return inventoryOf(lab);
}

export const labDown = (lab) => ksorch(["lab", "down", "--name", lab]);

/** Each server of an inventory: { name, host, port, key, knownHosts }. */
export function endpoints(inventory) {
  const inv = parse(readFileSync(inventory, "utf8"));
  return Object.entries(inv.servers).map(([name, s]) => {
    const ssh = { ...inv.ssh, ...s.ssh };
    return { name, host: ssh.host, port: ssh.port, key: ssh.key, knownHosts: ssh.known_hosts };
  });
}

/** ssh options that reach a lab server with its key and verified host key, as ksorch does. */
export const sshOptions = (ep) => [
  "-q",
  "-i",
  ep.key,
  "-p",
  String(ep.port),
  "-o",
  `UserKnownHostsFile=${ep.knownHosts}`,
  "-o",
  "StrictHostKeyChecking=yes",
  "-o",
  "BatchMode=yes",
];

/** Runs a shell line on a server. */
export const onServer = (ep, line, opts) =>
  timed(["ssh", ...sshOptions(ep), `root@${ep.host}`, line], opts);

/** After a cold apply: every VIP on its home server only, dhcpd on one server, tftpd, vsftpd
 *  and the HA engine on all; throws what is wrong otherwise. */
export async function checkHealthy(inventory, what) {
  const s = JSON.parse((await ksorch(["status", inventory, "--json"], { allowFail: true })).stdout);
  const bad = [
    ...s.vips
      .filter((v) => v.owners.length !== 1 || v.owners[0] !== v.home)
      .map((v) => `${v.vip} on [${v.owners}]`),
    ...s.servers
      .filter((x) => !(x.running.tftp && x.running.ftp && x.running.ha))
      .map((x) => `${x.name} services ${JSON.stringify(x.running)}`),
    ...(s.dhcp.length === 1 ? [] : [`dhcpd on [${s.dhcp}]`]),
    ...s.problems,
  ];
  if (bad.length > 0) throw new Error(`${what}: the cluster is not healthy: ${bad.join("; ")}`);
  log(`${what}: healthy`);
}
