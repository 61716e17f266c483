// The inventory `lab up` writes next to the lab's state: the one it was given, with the SSH
// ports, key and known_hosts of this lab, and the hosts trimmed or extended to the lab's
// counts, so `ksorch apply <that file>` reaches exactly this lab. Its cluster id (`name:`) is the
// lab's name, so every lab has secrets of its own. Comments are kept.
import { readFile, writeFile } from "node:fs/promises";
import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from "yaml";
import { labPaths } from "./paths.js";
import { intToIp, ipToInt } from "../topology/plan.js";
import type { LabPlan } from "./topology.js";

function keysOf(doc: Document, key: string): string[] {
  const node = doc.get(key);
  return isMap(node)
    ? node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key))
    : [];
}

export function labInventoryText(source: string, plan: LabPlan): string {
  const doc = parseDocument(source);
  const paths = labPaths(plan.name);
  doc.set("name", plan.name);
  doc.setIn(["ssh", "key"], paths.key);
  doc.setIn(["ssh", "known_hosts"], paths.knownHosts);
  const keep = new Set(plan.servers.map((s) => s.name));
  for (const name of keysOf(doc, "servers")) if (!keep.has(name)) doc.deleteIn(["servers", name]);
  for (const s of plan.servers) {
    if (!doc.hasIn(["servers", s.name])) {
      // An extra server continues the inventory's pattern: heartbeat 10.0.0.(2+i), VIPs
      // counting down from .254 of the subnet.
      const subnetBase = ipToInt(s.lan.split("/")[0] ?? "0.0.0.0") - s.index;
      const node = doc.createNode({
        ssh: { host: "127.0.0.1", port: s.sshPort },
        address: s.lan.split("/")[0],
        heartbeat: { interface: "eth1", address: `10.0.0.${2 + s.index}` },
        vip: intToIp(subnetBase + 255 - s.index),
        os: "debian",
      });
      for (const key of ["ssh", "heartbeat"]) (node.get(key) as YAMLMap).flow = true;
      doc.setIn(["servers", s.name], node);
    }
    doc.setIn(["servers", s.name, "ssh", "host"], "127.0.0.1");
    doc.setIn(["servers", s.name, "ssh", "port"], s.sshPort);
  }
  // heartbeat's haresources and parity balancing are defined for two servers only.
  if (plan.servers.length > 2) {
    if (doc.getIn(["ha", "engine"]) === "heartbeat") {
      doc.setIn(["ha", "engine"], "keepalived");
      // keepalived takes a VIP before any script could fence (see src/inventory/checks.ts).
      doc.deleteIn(["ha", "fence"]);
    }
    if (doc.getIn(["install", "balance"]) === "parity") doc.setIn(["install", "balance"], "modulo");
  }
  const clients = new Set(plan.clients.map((c) => c.name));
  for (const name of keysOf(doc, "clients"))
    if (!clients.has(name)) doc.deleteIn(["clients", name]);
  for (const c of plan.clients)
    if (!doc.hasIn(["clients", c.name]))
      doc.setIn(["clients", c.name], doc.createNode({ mac: c.mac, ip: c.ip }, { flow: true }));
  return doc.toString();
}

export async function writeLabInventory(source: string, plan: LabPlan): Promise<string> {
  const file = labPaths(plan.name).inventory;
  await writeFile(file, labInventoryText(await readFile(source, "utf8"), plan));
  return file;
}
