// Clients from a spreadsheet: `clients: { from: clients.csv }` in the inventory names a CSV file
// (relative to the inventory's folder) with a header row naming its columns `name`, `mac`, `ip`
// and, optionally, `server` (the client's serving server; without it the balance rule decides).
// Rows become the same { mac, ip, server } entries the YAML form has, so the schema and the
// cross-field rules check both alike; each row remembers its line so a problem names it.
// Parsed by csv-parse (RFC 4180 quoting, a UTF-8 BOM as Excel writes it, `#` comment lines).
import { dirname, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import type { Diagnostic } from "../errors.js";
import { PROTO_KEY, PROTO_PROBLEM } from "./yaml.js";

export const CSV_COLUMNS = ["name", "mac", "ip", "server"] as const;
const REQUIRED = ["name", "mac", "ip"] as const;
const HEADER_HINT = "a first row naming the columns: name,mac,ip and optionally server";

export interface CsvClient {
  mac: string;
  ip: string;
  server?: string;
}

export interface ClientsCsv {
  /** Client entries by name, in file order. */
  clients: Record<string, CsvClient>;
  /** 1-based line of each client's row. */
  lines: Map<string, number>;
  /** Problems of the file itself: unreadable, bad header, bad quoting, wrong column count. */
  problems: Diagnostic[];
}

interface Row {
  record: string[];
  info: { lines: number };
}

function csvLine(err: unknown): number | undefined {
  const lines = (err as { lines?: unknown }).lines;
  return typeof lines === "number" ? lines : undefined;
}

/** Splits CSV text into rows with their line numbers, or one problem when it cannot be parsed. */
function rows(text: string, file: string): Row[] | Diagnostic {
  try {
    return parse(text, {
      bom: true,
      comment: "#",
      comment_no_infix: true,
      delimiter: [",", ";", "\t"],
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as Row[];
  } catch (err) {
    const line = csvLine(err);
    return {
      file,
      ...(line !== undefined ? { line } : {}),
      message: (err as Error).message.replace(/^Invalid [^:]*: /, ""),
      hint: 'comma-separated fields; quote a field that holds a comma with "..."',
    };
  }
}

/** Which column holds each field, from the header row. */
function header(row: Row, file: string): Map<string, number> | Diagnostic {
  const at = { file, line: row.info.lines };
  const columns = new Map<string, number>();
  for (const [i, cell] of row.record.entries()) {
    const name = cell.toLowerCase();
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      return { ...at, message: `unknown column "${cell}"`, hint: HEADER_HINT };
    if (columns.has(name)) return { ...at, message: `column "${cell}" twice`, hint: HEADER_HINT };
    columns.set(name, i);
  }
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (missing.length > 0)
    return { ...at, message: `no column ${missing.join(", ")} in the header`, hint: HEADER_HINT };
  return columns;
}

/** Reads the clients of CSV `text`; `file` names it in problems. */
export function parseClientsCsv(text: string, file: string): ClientsCsv {
  const out: ClientsCsv = { clients: {}, lines: new Map(), problems: [] };
  const all = rows(text, file);
  if (!Array.isArray(all)) {
    out.problems.push(all);
    return out;
  }
  const [head, ...body] = all;
  if (!head) {
    out.problems.push({ file, message: "no header row and no clients", hint: HEADER_HINT });
    return out;
  }
  const columns = header(head, file);
  if (!(columns instanceof Map)) {
    out.problems.push(columns);
    return out;
  }
  const cell = (r: Row, c: string): string => {
    const i = columns.get(c);
    return i === undefined ? "" : (r.record[i] ?? "");
  };
  for (const r of body) {
    const line = r.info.lines;
    if (r.record.length !== head.record.length) {
      out.problems.push({
        file,
        line,
        message: `${r.record.length} fields, the header has ${head.record.length}`,
        hint: `one value per column: ${head.record.join(",")}`,
      });
      continue;
    }
    const name = cell(r, "name");
    const first = out.lines.get(name);
    if (first !== undefined) {
      out.problems.push({
        file,
        line,
        field: `clients.${name}`,
        message: `client ${name} is already on line ${first}`,
        hint: "every client name must be unique",
      });
      continue;
    }
    if (name === PROTO_KEY) {
      out.problems.push({ file, line, field: `clients.${name}`, ...PROTO_PROBLEM });
      continue;
    }
    const server = cell(r, "server");
    out.clients[name] = { mac: cell(r, "mac"), ip: cell(r, "ip"), ...(server ? { server } : {}) };
    out.lines.set(name, line);
  }
  return out;
}

export interface Expanded {
  /** The inventory input with the CSV's clients in place of `from`. */
  input: unknown;
  /** The CSV file and the line of each client read from it, when there is one. */
  csv?: { file: string; lines: Map<string, number> };
  problems: Diagnostic[];
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Replaces `clients.from` (a string: a client named "from" would be a map) by the clients of
 * that CSV file, beside any clients written in the YAML. `fromAt` locates `clients.from` in the
 * inventory, `clientAt` a client written there.
 */
export function expandClientsCsv(
  input: unknown,
  inventoryFile: string,
  readText: (file: string) => string,
  fromAt: () => { line: number; column: number },
  clientAt: (name: string) => { line: number },
): Expanded {
  if (!isMap(input) || !isMap(input.clients) || typeof input.clients.from !== "string")
    return { input, problems: [] };
  const { from, ...inline } = input.clients;
  const file = resolve(dirname(inventoryFile), from);
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    // The system's error code, or the reader's own sentence (not a regular file).
    const code = (err as NodeJS.ErrnoException).code;
    const problem: Diagnostic = {
      file: inventoryFile,
      ...fromAt(),
      field: "clients.from",
      message: code === undefined ? (err as Error).message : `cannot read ${file} (${code})`,
      hint: "a CSV file with the columns name,mac,ip[,server], relative to the inventory's folder",
    };
    return { input: { ...input, clients: inline }, problems: [problem] };
  }
  const csv = parseClientsCsv(text, file);
  const clients: Record<string, unknown> = { ...inline };
  for (const [name, client] of Object.entries(csv.clients)) {
    if (Object.hasOwn(inline, name)) {
      csv.problems.push({
        file,
        line: csv.lines.get(name) ?? 0,
        field: `clients.${name}`,
        message: `client ${name} is also in ${inventoryFile} (line ${clientAt(name).line})`,
        hint: "every client name must be unique",
      });
      csv.lines.delete(name);
      continue;
    }
    clients[name] = client;
  }
  return { input: { ...input, clients }, csv: { file, lines: csv.lines }, problems: csv.problems };
}
