// An Ansible inventory (YAML, on stdout) for the servers of a ksorch lab inventory: the same SSH
// endpoints, key and known_hosts ksorch uses, each server's crossover link and VIP, and the
// list of VIPs with their owners for the final wait.
//   node bench/ansible/inventory.mjs /var/lib/ksorch/labs/ansbench/inventory.yaml RENDER_DIR
import console from "node:console";
import process from "node:process";
import { readFileSync } from "node:fs";
import { stringify, parse } from "yaml";

const [file, renderDir] = process.argv.slice(2);
if (!file || !renderDir) {
  console.error("usage: inventory.mjs LAB_INVENTORY RENDER_DIR");
  process.exit(2);
}
const inv = parse(readFileSync(file, "utf8"));
const servers = Object.entries(inv.servers);

const hosts = Object.fromEntries(
  servers.map(([name, s]) => {
    const ssh = { ...inv.ssh, ...s.ssh };
    return [
      name,
      {
        ansible_host: ssh.host,
        ansible_port: ssh.port,
        ansible_user: ssh.user,
        ansible_ssh_private_key_file: ssh.key,
        // Checked against the lab's known_hosts, as ksorch does (no accept-new).
        ansible_ssh_common_args: `-o UserKnownHostsFile=${ssh.known_hosts} -o StrictHostKeyChecking=yes`,
        hb_interface: s.heartbeat.interface,
        hb_address: s.heartbeat.address,
        // ksorch's inventory default (src/inventory/types.ts).
        hb_prefix: s.heartbeat.prefixLength ?? 24,
        vip: s.vip,
        address: s.address,
      },
    ];
  }),
);

const vars = {
  ansible_python_interpreter: "/usr/bin/python3",
  render_dir: renderDir,
  tree_src: inv.install.source,
  install_path: inv.install.path,
  vips: servers.map(([name, s]) => ({ address: s.vip, owner: name })),
};

process.stdout.write(stringify({ all: { hosts, vars } }));
