// Reads an inventory file into the resolved Inventory, or throws one InputError that carries
// every problem found, each with file, line, column, field and what would be valid.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import ipaddr from "ipaddr.js";
import { LineCounter, parseDocument, type Document } from "yaml";
import { parseYaml } from "./yaml.js";
import type { Diagnostic } from "../errors.js";
import { InputError, printable } from "../errors.js";
import { unreadableFile } from "../local-file.js";
import { checkInventory } from "./checks.js";
import { expandClientsCsv, type Expanded } from "./clients-csv.js";
import { positionOf, type Anchor, type FieldPath, type Position } from "./positions.js";
import { problemsFromZod, type Problem } from "./problems.js";
import { resolveInventory } from "./resolve.js";
import { pruneInvalidEntries } from "./prune.js";
import { inventorySchema, type RawInventory } from "./schema.js";
import type { Inventory } from "./types.js";

export const DEFAULT_INVENTORY = "inventory/lab.yaml";

/** Where a field is written: the inventory's line and column, or a CSV client's row. */
type Locate = (
  path: FieldPath,
  anchor?: Anchor,
) => { file: string; line?: number; column?: number };

function locator(file: string, doc: Document, lines: LineCounter, csv: Expanded["csv"]): Locate {
  return (path, anchor) => {
    const csvLine = path[0] === "clients" ? csv?.lines.get(String(path[1])) : undefined;
    if (csv && csvLine !== undefined) return { file: csv.file, line: csvLine };
    return { file, ...positionOf(doc, lines, path, anchor) };
  };
}

function toDiagnostic(locate: Locate, p: Problem): Diagnostic {
  const at = locate(p.path, p.anchor);
  const prior = p.firstAt ? locate(p.firstAt) : undefined;
  const first = !prior
    ? ""
    : prior.file === at.file
      ? ` (line ${prior.line})`
      : ` (${prior.file}:${prior.line})`;
  return {
    ...at,
    ...(p.path.length > 0 ? { field: p.path.join(".") } : {}),
    message: p.message + first,
    ...(p.hint ? { hint: p.hint } : {}),
  };
}

/** Every problem, the inventory's first, then each other file's (a CSV), by line. */
function fail(file: string, unsorted: Diagnostic[]): never {
  const rank = (d: Diagnostic): number => (d.file === file ? 0 : 1);
  const diagnostics = [...unsorted].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  const n = diagnostics.length;
  throw new InputError(`${file}: ${n} problem${n === 1 ? "" : "s"} in the inventory`, diagnostics);
}

function parseSubnet(cidr: string): { network: string; prefixLength: number; netmask: string } {
  // ipaddr.js also reads octal (192.168.010.0 is 192.168.8.0), hex and a single number: the
  // addresses beside it are dotted decimal, and so must the subnet be.
  if (isIP(/^(.*)\/\d+$/.exec(cidr)?.[1] ?? "") !== 4)
    throw new Error("not a dotted-decimal IPv4 address and a prefix length");
  const [addr, prefixLength] = ipaddr.IPv4.parseCIDR(cidr);
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
  if (network !== addr.toString()) throw new Error(`host bits set; the network is ${network}`);
  if (prefixLength > 30) throw new Error("a prefix longer than /30 leaves no room for hosts");
  const netmask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefixLength).toString();
  return { network, prefixLength, netmask };
}

/** Reads the CSV file `clients.from` names: a regular file only, as a device (`/dev/zero`) or a
 *  FIFO would be read forever. */
function readText(file: string): string {
  const why = unreadableFile(file);
  if (why !== undefined) throw new Error(why);
  return readFileSync(file, "utf8");
}

/**
 * Parses and validates inventory text; `file` is used for messages and relative paths, and
 * `read` reads the CSV file `clients.from` names.
 */
export function parseInventory(text: string, file: string, read = readText): Inventory {
  const yaml = parseYaml(text, file);
  if ("diagnostics" in yaml) fail(file, yaml.diagnostics);
  const { doc, lines, value } = yaml;
  const expanded = expandClientsCsv(
    value,
    file,
    read,
    () => positionOf(doc, lines, ["clients", "from"]),
    (name) => positionOf(doc, lines, ["clients", name], "key"),
  );
  const { input } = expanded;
  const diag = (p: Problem) => toDiagnostic(locator(file, doc, lines, expanded.csv), p);
  // A CSV that could not be read leaves no clients: that is its problem, not a second one.
  const csvBroken = expanded.problems.length > 0;
  const relevant = (p: Problem) => !(csvBroken && p.path.join(".") === "clients");
  const parsed = inventorySchema.safeParse(input);
  if (parsed.success) {
    const checked = crossChecked(parsed.data, file);
    if ("inventory" in checked && !csvBroken) return checked.inventory;
    const problems = "problems" in checked ? checked.problems : [];
    fail(file, [...expanded.problems, ...problems.map(diag)]);
  }
  const problems = problemsFromZod(inventorySchema, input, parsed.error).filter(relevant);
  const pruned = pruneInvalidEntries(input, parsed.error);
  const rest = pruned && inventorySchema.safeParse(pruned.input);
  if (pruned && rest?.success) {
    const checked = crossChecked(rest.data, file);
    const countRules = ["install.balance", "ha.engine"];
    if ("problems" in checked)
      for (const p of checked.problems)
        if (!(pruned.serversRemoved && countRules.includes(p.path.join(".")))) problems.push(p);
  }
  fail(file, [...expanded.problems, ...problems.map(diag)]);
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
    const message = `invalid subnet ${printable(raw.network.subnet, 60)}: ${(err as Error).message}`;
    const hint = "an IPv4 network in CIDR form such as 192.168.0.0/24";
    return { problems: [{ path: ["network", "subnet"], message, hint }] };
  }
  const inventory = resolveInventory(raw, file, subnet);
  const problems = checkInventory(inventory);
  return problems.length > 0 ? { problems } : { inventory };
}

/**
 * Line and column of a field in an inventory file (for checks made after loading): the first of
 * `paths` written in the file, else where the first would go.
 */
export function locateField(file: string, ...paths: FieldPath[]): Position | undefined {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
    const path = paths.find((p) => doc.hasIn(p)) ?? paths[0] ?? [];
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
