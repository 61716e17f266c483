// What the lab takes from an inventory file: server and client names, LAN addresses, MACs and
// SSH ports. Minimal on purpose: full validation belongs to src/inventory.
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { InputError } from "../errors.js";

export interface LabInventory {
  subnet: string;
  servers: { name: string; address: string; sshPort?: number }[];
  clients: { name: string; mac: string; ip: string }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function field(file: string, path: string, v: unknown): string {
  if (typeof v !== "string" || v === "")
    throw new InputError(`invalid inventory for the lab`, [
      { file, field: path, message: "missing or not a string" },
    ]);
  return v;
}

export function labInventoryFromYaml(file: string, text: string): LabInventory {
  const doc: unknown = parse(text);
  if (!isObj(doc)) throw new InputError("invalid inventory", [{ file, message: "not a mapping" }]);
  const network = isObj(doc.network) ? doc.network : {};
  const servers = isObj(doc.servers) ? doc.servers : {};
  const clients = isObj(doc.clients) ? doc.clients : {};
  return {
    subnet: field(file, "network.subnet", network.subnet),
    servers: Object.entries(servers).map(([name, s]) => {
      const o = isObj(s) ? s : {};
      const ssh = isObj(o.ssh) ? o.ssh : {};
      return {
        name,
        address: field(file, `servers.${name}.address`, o.address),
        ...(typeof ssh.port === "number" ? { sshPort: ssh.port } : {}),
      };
    }),
    clients: Object.entries(clients).map(([name, c]) => {
      const o = isObj(c) ? c : {};
      return {
        name,
        mac: field(file, `clients.${name}.mac`, o.mac).toLowerCase(),
        ip: field(file, `clients.${name}.ip`, o.ip),
      };
    }),
  };
}

export async function readLabInventory(file: string): Promise<LabInventory> {
  const text = await readFile(file, "utf8").catch((e: unknown) => {
    throw new InputError(`cannot read inventory ${file}`, [], { cause: e });
  });
  return labInventoryFromYaml(file, text);
}
