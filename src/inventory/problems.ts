// A problem found in the inventory, located by field path; load.ts turns it into a Diagnostic
// with file, line and column. Schema errors (from zod) and cross-field checks both produce these.
import { z } from "zod";
import { printable } from "../errors.js";
import type { Anchor, FieldPath } from "./positions.js";

export interface Problem {
  path: FieldPath;
  anchor?: Anchor;
  message: string;
  hint?: string;
  /** An earlier field this one conflicts with; its line is added to the message. */
  firstAt?: FieldPath;
}

/** The schema that validates `path`, following object shapes, record values and wrappers. */
function schemaAt(root: z.ZodType, path: FieldPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const segment of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(segment)];
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return undefined;
  }
  return s;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

/** The `.describe()` text of a schema, looking through optional wrappers. */
function describedHint(s: z.ZodType | undefined): string | undefined {
  while (s) {
    if (s.description) return s.description;
    const inner = s instanceof z.ZodOptional || s instanceof z.ZodDefault ? s.unwrap() : undefined;
    s = inner as z.ZodType | undefined;
  }
  return undefined;
}

function received(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  // Cut: the value may be megabytes long. Escaped once, as every message is: JSON's quoting
  // would double the backslashes ("lab\\nrm" for a newline).
  const text = typeof value === "string" ? `"${printable(value, 60)}"` : String(value);
  return `${typeof value} ${text}`;
}

/** zod's default invalid_type text also says what it received; we say that ourselves. */
function what(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input"))
    return `expected ${issue.expected}`;
  return issue.message;
}

function hintOf(root: z.ZodType, path: FieldPath): { hint?: string } {
  const hint = describedHint(schemaAt(root, path));
  return hint ? { hint } : {};
}

function valueAt(input: unknown, path: FieldPath): unknown {
  let v = input;
  for (const segment of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[String(segment)];
  }
  return v;
}

/** One problem per zod issue; an unknown-keys issue gives one problem per key, at the key. */
export function problemsFromZod(root: z.ZodType, input: unknown, error: z.ZodError): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const allowed = describedHint(schemaAt(root, path));
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          anchor: "key",
          message: `unknown key "${key}"`,
          ...(allowed ? { hint: `valid keys here: ${allowed}` } : {}),
        });
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      const name = String(path[path.length - 1]);
      const record = unwrap(schemaAt(root, path.slice(0, -1)));
      const hint =
        record instanceof z.ZodRecord
          ? describedHint(record.keyType as unknown as z.ZodType)
          : undefined;
      out.push({
        path,
        anchor: "key",
        message: `invalid name "${name}"`,
        ...(hint ? { hint } : {}),
      });
      continue;
    }
    const value = valueAt(input, path);
    out.push({
      path,
      message: value === undefined ? "missing" : `${what(issue)}, got ${received(value)}`,
      ...hintOf(root, path),
    });
  }
  return out;
}
