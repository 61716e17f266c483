// YAML text -> a document with positions and its plain value, or the diagnostics of why not.
// Shared by the inventory and the playbooks, so both refuse the same things the same way:
// syntax errors, repeated keys, __proto__ keys and alias bombs, each at its line.
import {
  isAlias,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  Scalar,
  visit,
  type Document,
  type YAMLError,
} from "yaml";
import type { Diagnostic } from "../errors.js";

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

/**
 * yaml's own limit on alias expansions (its default, 100): a "billion laughs" document of nested
 * aliases would otherwise expand to gigabytes (https://eemeli.org/yaml/#options).
 */
const MAX_ALIAS_COUNT = 100;

function at(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * A key no JavaScript object holds as data: zod's records drop it without a word and an
 * assignment replaces the object's prototype, so a client or server of that name would vanish.
 */
export const PROTO_KEY = "__proto__";
/** What is said of a PROTO_KEY key, in a YAML mapping or in a CSV's name column. */
export const PROTO_PROBLEM = {
  message: `the name "${PROTO_KEY}" is not allowed`,
  hint: "any other name: JavaScript keeps no data under this one",
};

/**
 * The keys of every mapping that cannot be: a repeat (at the repeat, naming the first) and
 * PROTO_KEY. yaml's `uniqueKeys` compares each key with all the keys before it (50,000 clients
 * took minutes); a set per mapping is linear.
 */
function badKeys(doc: Document, lines: LineCounter, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const parents = ancestors.flatMap((a) =>
        isPair(a) && isScalar(a.key) ? [String(a.key.value)] : [],
      );
      const seen = new Map<string, number | undefined>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const start = pair.key.range?.[0];
        const field = [...parents, key].join(".");
        if (key === PROTO_KEY) {
          out.push({ file, ...at(lines, start), field, ...PROTO_PROBLEM });
          continue;
        }
        if (!seen.has(key)) {
          seen.set(key, start);
          continue;
        }
        const first = at(lines, seen.get(key)).line;
        out.push({
          file,
          ...at(lines, start),
          field,
          message: `key "${key}" must be unique: it is repeated (first at line ${first})`,
          hint: "every key of a mapping must be unique",
        });
      }
    },
  });
  return out;
}

function firstAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Where a quoted value that is never closed opens. yaml says "Missing closing quote" where the
 * value ends, at the end of the file or of its flow collection; its node starts at the quote.
 */
function openingQuote(doc: Document, error: YAMLError): number | undefined {
  if (error.code !== "MISSING_CHAR" || !error.message.startsWith("Missing closing"))
    return undefined;
  let offset: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (!quoted || node.range?.[1] !== error.pos[0]) return undefined;
      offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The document and its value, or every problem found with file, line and column. */
export function parseYaml(text: string, file: string): ParsedYaml | { diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      diagnostics: doc.errors.map((e) => {
        const quote = openingQuote(doc, e);
        const where = e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {};
        return {
          file,
          ...(quote !== undefined ? at(lines, quote) : where),
          // yaml appends "at line L, column C:" and a code excerpt; we give the position apart.
          message: (e.message.split("\n")[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, ""),
          hint:
            quote !== undefined
              ? "end the value with the quote it starts with, or write it without quotes"
              : "fix the YAML syntax",
        };
      }),
    };
  }
  const keys = badKeys(doc, lines, file);
  if (keys.length > 0) return { diagnostics: keys };
  try {
    return { doc, lines, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    // yaml throws a ReferenceError past maxAliasCount (and for an alias to no anchor).
    return {
      diagnostics: [
        {
          file,
          ...at(lines, firstAlias(doc)),
          message: `YAML aliases expand too far: ${(err as Error).message}`,
          hint: `at most ${MAX_ALIAS_COUNT} alias expansions; write the values out`,
        },
      ],
    };
  }
}
