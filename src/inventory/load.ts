// Reads an inventory file into the resolved Inventory, or throws one InputError that carries
// every problem found, each with file, line, column, field and what would be valid.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ipaddr from "ipaddr.js";
import { LineCounter, parseDocument, type Document } from "yaml";
import { parseYaml } from "./yaml.js";
import type { Diagnostic } from "../errors.js";
import { InputError } from "../errors.js";
import { checkInventory } from "./checks.js";
import { positionOf, type FieldPath, type Position } from "./positions.js";
import { problemsFromZod, type Problem } from "./problems.js";
import { resolveInventory } from "./resolve.js";
import { pruneInvalidEntries } from "./prune.js";
import { inventorySchema, type RawInventory } from "./schema.js";
import type { Inventory } from "./types.js";

export const DEFAULT_INVENTORY = "inventory/lab.yaml";

function toDiagnostic(file: string, doc: Document, lines: LineCounter, p: Problem): Diagnostic {
  const { line, column } = positionOf(doc, lines, p.path, p.anchor);
  const first = p.firstAt ? ` (line ${positionOf(doc, lines, p.firstAt).line})` : "";
  return {
    file,
    line,
    column,
    ...(p.path.length > 0 ? { field: p.path.join(".") } : {}),
    message: p.message + first,
    ...(p.hint ? { hint: p.hint } : {}),
  };
}

function fail(file: string, unsorted: Diagnostic[]): never {
  const diagnostics = [...unsorted].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  const n = diagnostics.length;
  throw new InputError(`${file}: ${n} problem${n === 1 ? "" : "s"} in the inventory`, diagnostics);
}

function parseSubnet(cidr: string): { network: string; prefixLength: number; netmask: string } {
  const [addr, prefixLength] = ipaddr.IPv4.parseCIDR(cidr);
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
  if (network !== addr.toString()) throw new Error(`host bits set; the network is ${network}`);
  if (prefixLength > 30) throw new Error("a prefix longer than /30 leaves no room for hosts");
  const netmask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefixLength).toString();
  return { network, prefixLength, netmask };
}

/** Parses and validates inventory text; `file` is used for messages and relative paths. */
export function parseInventory(text: string, file: string): Inventory {
  const parsed = parseYaml(text, file);
  if ("diagnostics" in parsed) fail(file, parsed.diagnostics);
  const { doc, lines, value: input } = parsed;
  const diag = (p: Problem) => toDiagnostic(file, doc, lines, p);
  const result = inventorySchema.safeParse(input);
  if (result.success) {
    const checked = crossChecked(result.data, file);
    if ("inventory" in checked) return checked.inventory;
    fail(file, checked.problems.map(diag));
  }
  const problems = problemsFromZod(inventorySchema, input, result.error);
  const pruned = pruneInvalidEntries(input, result.error);
  const rest = pruned && inventorySchema.safeParse(pruned.input);
  if (pruned && rest?.success) {
    const checked = crossChecked(rest.data, file);
    const countRules = ["install.balance", "ha.engine"];
    if ("problems" in checked)
      for (const p of checked.problems)
        if (!(pruned.serversRemoved && countRules.includes(p.path.join(".")))) problems.push(p);
  }
  fail(file, problems.map(diag));
}

/** The resolved inventory, or what the cross-field rules find wrong with it. */
function crossChecked(
  raw: RawInventory,
  file: string,
): { inventory: Inventory } | { problems: Problem[] } {
  let subnet;
  try {
    subnet = parseSubnet(raw.network.subnet);
  } catch (err) {
    const message = `invalid subnet ${raw.network.subnet}: ${(err as Error).message}`;
    const hint = "an IPv4 network in CIDR form such as 192.168.0.0/24";
    return { problems: [{ path: ["network", "subnet"], message, hint }] };
  }
  const inventory = resolveInventory(raw, file, subnet);
  const problems = checkInventory(inventory);
  return problems.length > 0 ? { problems } : { inventory };
}

/** Line and column of a field in an inventory file (for checks made after loading). */
export function locateField(file: string, path: FieldPath): Position | undefined {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
    return positionOf(doc, lines, path);
  } catch {
    return undefined;
  }
}

/** Loads `path` (relative to the working directory); throws InputError on any problem. */
export function loadInventory(path: string = DEFAULT_INVENTORY): Inventory {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read inventory ${file}: ${code}`, [
      { file, message: `cannot read the file (${code})`, hint: "a readable YAML inventory file" },
    ]);
  }
  return parseInventory(text, file);
}
