// Manifests of a directory tree: the local one from lstat (and sha256 in checksum mode, cached
// by size+mtime so a re-run hashes nothing), the remote one from a single find command. The
// comparison is pure.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { sh } from "../../transport/quote.js";

export type EntryType = "f" | "d" | "l";

export interface Entry {
  /** Relative to the tree's root, no leading ./ */
  path: string;
  type: EntryType;
  size: number;
  /** Whole seconds: tar keeps no more, so this is what a copy can match. */
  mtime: number;
  /** Permission bits. */
  mode: number;
  target?: string;
  sha256?: string;
}

export type Manifest = Map<string, Entry>;

/** `*` within a path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const re = glob
    .split("**")
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]"),
    )
    .join(".*");
  return new RegExp(`^${re}$`);
}

export async function localManifest(root: string, exclude: RegExp[]): Promise<Manifest> {
  const out: Manifest = new Map();
  const walk = async (rel: string): Promise<void> => {
    const dirents = await readdir(join(root, rel), { withFileTypes: true });
    for (const d of dirents) {
      const path = rel === "" ? d.name : `${rel}/${d.name}`;
      if (exclude.some((re) => re.test(path))) continue;
      const st = await lstat(join(root, path));
      const type: EntryType | undefined = st.isDirectory()
        ? "d"
        : st.isSymbolicLink()
          ? "l"
          : st.isFile()
            ? "f"
            : undefined;
      if (!type) continue;
      const e: Entry = {
        path,
        type,
        size: type === "f" ? st.size : 0,
        mtime: Math.floor(st.mtimeMs / 1000),
        mode: st.mode & 0o7777,
      };
      if (type === "l") e.target = await readlink(join(root, path));
      out.set(path, e);
      if (type === "d") await walk(path);
    }
  };
  await walk("");
  return out;
}

const SEP = "\t";

/** One command: every entry below `dest` as `type size mtime mode target path\0`. */
export function remoteManifestCommand(dest: string): string {
  return sh`test -d ${dest} || exit 0; find ${dest} -mindepth 1 -printf ${"%y\t%s\t%T@\t%m\t%l\t%P\\0"}`;
}

/**
 * A copy is extracted below dest in a staging directory of this name, then renamed into place:
 * one that a killed run left behind is no part of the tree (and is removed by the next copy).
 */
export const STAGING_PREFIX = ".ksorch-sync.";

/** Top-level staging directories in a remote manifest; they and their content are taken out. */
export function takeStaging(m: Manifest): string[] {
  const stale = [...m.keys()].filter((p) => !p.includes("/") && p.startsWith(STAGING_PREFIX));
  for (const p of [...m.keys()])
    if (stale.some((st) => p === st || p.startsWith(`${st}/`))) m.delete(p);
  return stale;
}

/** The entries with every directory above them that the list lacks, parents first: a staged
 *  copy then carries the mode of each directory it creates (the local tree's, the desired one). */
export function withParents(entries: readonly Entry[], local: Manifest): Entry[] {
  const out: Entry[] = [];
  const have = new Set<string>();
  for (const e of entries) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const d = local.get(dir);
      if (!have.has(dir) && d) {
        have.add(dir);
        out.push(d);
      }
    }
    if (!have.has(e.path)) {
      have.add(e.path);
      out.push(e);
    }
  }
  return out;
}

export function parseRemoteManifest(stdout: string): Manifest {
  const out: Manifest = new Map();
  for (const rec of stdout.split("\0")) {
    const fields = rec.split(SEP);
    if (fields.length < 6) continue;
    const [type, size, mtime, mode, target] = fields;
    const path = fields.slice(5).join(SEP);
    if (type !== "f" && type !== "d" && type !== "l") continue;
    const e: Entry = {
      path,
      type,
      size: Number(size),
      mtime: Math.floor(Number(mtime)),
      mode: parseInt(mode ?? "0", 8),
    };
    if (type === "l") e.target = target ?? "";
    out.set(path, e);
  }
  return out;
}

export function remoteChecksumCommand(dest: string): string {
  return sh`cd ${dest} && find . -type f -print0 | xargs -0 -r sha256sum`;
}

export function applyRemoteChecksums(m: Manifest, stdout: string): void {
  for (const line of stdout.split("\n")) {
    const hit = /^([0-9a-f]{64}) [ *]\.\/(.*)$/.exec(line);
    const e = hit?.[2] !== undefined ? m.get(hit[2]) : undefined;
    if (e && hit?.[1]) e.sha256 = hit[1];
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

type ShaCache = Record<string, { size: number; mtime: number; sha256: string }>;

/** Adds sha256 to local files, reusing the cached sum of files whose size and mtime are unchanged. */
export async function addLocalChecksums(
  root: string,
  m: Manifest,
  cacheDir = join(homedir(), ".cache", "ksorch", "sync"),
): Promise<void> {
  const cacheFile = join(
    cacheDir,
    `${createHash("sha256").update(root).digest("hex").slice(0, 16)}.json`,
  );
  const cache = (await readFile(cacheFile, "utf8").then(JSON.parse, () => ({}))) as ShaCache;
  const next: ShaCache = {};
  for (const e of m.values()) {
    if (e.type !== "f") continue;
    const hit = cache[e.path];
    e.sha256 =
      hit && hit.size === e.size && hit.mtime === e.mtime
        ? hit.sha256
        : await hashFile(join(root, e.path));
    next[e.path] = { size: e.size, mtime: e.mtime, sha256: e.sha256 };
  }
  await mkdir(cacheDir, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(next));
}

export interface TreeDiff {
  /** Entries to send (new or different), parents before children. */
  send: Entry[];
  /** Remote paths to remove: extras (when asked) and entries whose type must change. */
  remove: string[];
}

function same(a: Entry, b: Entry, checksum: boolean): boolean {
  if (a.type !== b.type || a.mode !== b.mode) return false;
  if (a.type === "l") return a.target === b.target;
  if (a.type === "d") return true;
  if (checksum) return a.size === b.size && a.sha256 !== undefined && a.sha256 === b.sha256;
  // rsync's quick check: same size and modification time.
  return a.size === b.size && a.mtime === b.mtime;
}

export function diffTrees(
  local: Manifest,
  remote: Manifest,
  opts: { delete: boolean; checksum: boolean; exclude: RegExp[] },
): TreeDiff {
  const send: Entry[] = [];
  const remove: string[] = [];
  for (const e of local.values()) {
    const r = remote.get(e.path);
    if (r && same(e, r, opts.checksum)) continue;
    if (r && r.type !== e.type) remove.push(e.path);
    send.push(e);
  }
  if (opts.delete) {
    for (const r of remote.values()) {
      if (local.has(r.path) || opts.exclude.some((re) => re.test(r.path))) continue;
      // A parent already removed takes its children with it.
      if (remove.some((p) => r.path.startsWith(`${p}/`))) continue;
      remove.push(r.path);
    }
  }
  return { send, remove };
}

/** Bytes a tar of these entries carries: a 512-byte header each, data padded to 512, the end. */
export function tarSize(entries: readonly Entry[]): number {
  return entries.reduce(
    (n, e) => n + 512 + (e.type === "f" ? Math.ceil(e.size / 512) * 512 : 0),
    1024,
  );
}
