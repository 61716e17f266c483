// Maps a field path (["clients", "client2", "mac"]) to the line and column where it is written,
// so every diagnostic can point into the user's file.
import {
  isMap,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** Where a path points: at the value (a wrong value) or at the key (an unknown or bad name). */
export type Anchor = "value" | "key";

/**
 * Each mapping's pairs by key (the first of a repeated key), indexed once: searching the mapping
 * for each path made a problem on each of 8,000 clients take 25 s to locate, 50,000 many minutes.
 */
const pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairsByKey.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k !== undefined && !index.has(k)) index.set(k, pair);
    }
    pairsByKey.set(map, index);
  }
  return index.get(key);
}

function offsetOf(doc: Document, path: FieldPath, anchor: Anchor): number {
  let node: unknown = doc.contents;
  let best = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(segment));
      if (!pair) return best;
      const key = pair.key as Node;
      if (last && anchor === "key") return key.range?.[0] ?? best;
      best = key.range?.[0] ?? best;
      node = pair.value;
      const valueStart = (pair.value as Node | null)?.range?.[0];
      if (valueStart !== undefined) best = valueStart;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      const start = (node as Node | undefined)?.range?.[0];
      if (start === undefined) return best;
      best = start;
    } else {
      return best;
    }
  }
  return best;
}

/** Position of `path`; when the path is not in the file, the deepest part of it that is. */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  path: FieldPath,
  anchor: Anchor = "value",
): Position {
  const { line, col } = lines.linePos(offsetOf(doc, path, anchor));
  return { line, column: col };
}
