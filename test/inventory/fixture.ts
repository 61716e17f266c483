// The lab inventory as text, and small tools to derive hostile variants from it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { InputError, type Diagnostic } from "../../src/errors.js";
import { parseInventory } from "../../src/inventory/load.js";

export const LAB_FILE = fileURLToPath(new URL("../../inventory/lab.yaml", import.meta.url));
export const labText = (): string => readFileSync(LAB_FILE, "utf8");

/** The lab text with each [from, to] replaced once; fails the test if `from` is absent. */
export function labWith(...edits: [string, string][]): string {
  let text = labText();
  for (const [from, to] of edits) {
    expect(text, `fixture edit: ${from}`).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  expect(i, `line containing ${needle}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** The diagnostics of parsing `text`, which must fail with an InputError. */
export function diagnosticsOf(text: string, file = "/inv/test.yaml"): Diagnostic[] {
  try {
    parseInventory(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).diagnostics;
  }
  throw new Error("expected the inventory to be rejected");
}

export function byField(diags: Diagnostic[], field: string): Diagnostic {
  const d = diags.find((x) => x.field === field);
  expect(d, `diagnostic for ${field} in ${JSON.stringify(diags, null, 1)}`).toBeDefined();
  return d as Diagnostic;
}
