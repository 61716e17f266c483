// When the schema rejects some servers or clients, or finds unknown keys, the cross-field rules
// still run over what it accepted, so one run reports a typo, a bad name and a repeated MAC
// together.
import type { z } from "zod";

const ENTRY_MAPS = new Set(["servers", "clients"]);

export interface Pruned {
  input: Record<string, Record<string, unknown>>;
  /** Server count rules would be misleading once a server was taken out. */
  serversRemoved: boolean;
}

/** A copy of `input` without the entries the issues are about; undefined if any issue lies elsewhere. */
export function pruneInvalidEntries(input: unknown, error: z.ZodError): Pruned | undefined {
  if (input === null || typeof input !== "object") return undefined;
  const copy = structuredClone(input) as Record<string, Record<string, unknown>>;
  let serversRemoved = false;
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      // An unknown key carries no value the rules read: drop it and keep checking.
      const parent = issue.path.reduce<unknown>(
        (node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key],
        copy,
      ) as Record<string, unknown> | undefined;
      for (const key of issue.keys) delete parent?.[key];
      continue;
    }
    const [map, entry] = issue.path;
    if (typeof map !== "string" || !ENTRY_MAPS.has(map) || typeof entry !== "string")
      return undefined;
    const entries = copy[map];
    if (entries === null || typeof entries !== "object") return undefined;
    delete entries[entry];
    serversRemoved ||= map === "servers";
  }
  return { input: copy, serversRemoved };
}
