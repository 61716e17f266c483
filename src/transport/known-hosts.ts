// known_hosts in OpenSSH's format: `[marker] patterns keytype base64 [comment]`, where a pattern
// is `host`, `[host]:port` (any port but 22), or hashed `|1|salt|hmac-sha1(salt, pattern)`.
// Lookup is pure; only `appendKnownHost` writes, and only for a host with no entry at all.
import { createHmac } from "node:crypto";
import { appendFile, readFile } from "node:fs/promises";

export interface KnownHostEntry {
  patterns: string[];
  keyType: string;
  key: string;
  revoked: boolean;
}

/** What the file says about a key a host presented. */
export type HostKeyVerdict = "match" | "unknown" | "changed" | "revoked";

export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === "" || fields[0].startsWith("#")) continue;
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    // Certificate authorities sign keys; ksorch does not verify host certificates.
    if (marker === "@cert-authority") continue;
    const [patterns, keyType, key] = fields;
    if (patterns === undefined || keyType === undefined || key === undefined) continue;
    entries.push({ patterns: patterns.split(","), keyType, key, revoked: marker === "@revoked" });
  }
  return entries;
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (salt === undefined || hash === undefined) return false;
    const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return mac === hash;
  }
  // Negations and wildcards are rare in known_hosts files; an exact match is what ssh writes.
  return pattern === name;
}

export function entriesFor(entries: KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((e) => e.patterns.some((p) => matchesPattern(p, name)));
}

/**
 * Judges a presented key (base64 of its wire blob). A host that has entries, none of which is
 * this key, is "changed" whatever the key type: accepting another type silently would let an
 * attacker pick the type the file does not know.
 */
export function verifyHostKey(
  entries: KnownHostEntry[],
  name: string,
  keyType: string,
  key: string,
): HostKeyVerdict {
  const mine = entriesFor(entries, name);
  if (mine.some((e) => e.revoked && e.key === key)) return "revoked";
  const trusted = mine.filter((e) => !e.revoked);
  if (trusted.some((e) => e.keyType === keyType && e.key === key)) return "match";
  return trusted.length === 0 ? "unknown" : "changed";
}

export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

export async function appendKnownHost(
  file: string,
  name: string,
  keyType: string,
  key: string,
): Promise<void> {
  const current = await readFile(file, "utf8").catch(() => "");
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  await appendFile(file, `${sep}${name} ${keyType} ${key}\n`, { mode: 0o600 });
}
