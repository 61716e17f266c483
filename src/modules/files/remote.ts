// What the engine needs to know about files on a host, read for many paths in one command, and
// the atomic write every file-installing module shares: temp file in the target directory,
// owner and mode set, then rename, so an interrupted run never leaves half a file.
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { Transport } from "../../transport/types.js";
import { raw, sh } from "../../transport/quote.js";
import { command, type CommandStep } from "../types.js";

export type RemoteKind = "file" | "directory" | "link" | "other";

export interface RemoteFile {
  path: string;
  kind: RemoteKind;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  owner: string;
  group: string;
  size: number;
  /** Modification time, whole seconds. */
  mtime: number;
  /** Regular files whose hash was asked for. */
  sha256?: string;
  /** Links only. */
  target?: string;
}

const SEP = "@@ksorch-stat@@";

/** Type, mode, owner, size and mtime of `paths`, and the sha256 of those in `hash`. */
export function statCommand(paths: readonly string[], hash: readonly string[] = paths): string {
  // QUOTING_STYLE=literal makes %N print `path -> target` without quotes for links.
  const sums = hash.length > 0 ? sh`sha256sum -- ${[...hash]} 2>/dev/null; ` : "";
  return sh`QUOTING_STYLE=literal stat -c ${"%F\t%a\t%U\t%G\t%s\t%Y\t%N"} -- ${[...paths]} 2>/dev/null; echo ${SEP}; ${raw(sums)}true`;
}

function kindOf(f: string): RemoteKind {
  if (f.startsWith("regular")) return "file";
  if (f === "directory") return "directory";
  if (f === "symbolic link") return "link";
  return "other";
}

/** Parses `statCommand` output; paths that do not exist are absent from the map. */
export function parseStat(stdout: string): Map<string, RemoteFile> {
  const [stats = "", sums = ""] = stdout.split(`${SEP}\n`);
  const out = new Map<string, RemoteFile>();
  for (const line of stats.split("\n")) {
    const [f, mode, owner, group, size, mtime, ...rest] = line.split("\t");
    const name = rest.join("\t");
    if (
      f === undefined ||
      mode === undefined ||
      owner === undefined ||
      group === undefined ||
      rest.length === 0
    )
      continue;
    const kind = kindOf(f);
    const arrow = name.indexOf(" -> ");
    const path = kind === "link" && arrow >= 0 ? name.slice(0, arrow) : name;
    const rec: RemoteFile = {
      path,
      kind,
      mode: parseInt(mode, 8),
      owner,
      group,
      size: Number(size),
      mtime: Number(mtime),
    };
    if (kind === "link" && arrow >= 0) rec.target = name.slice(arrow + 4);
    out.set(path, rec);
  }
  for (const line of sums.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    const rec = m?.[2] ? out.get(m[2]) : undefined;
    if (m?.[1] && rec?.kind === "file") rec.sha256 = m[1];
  }
  return out;
}

interface StatAsk {
  paths: readonly string[];
  hash: readonly string[];
  resolve: (m: Map<string, RemoteFile>) => void;
  reject: (e: unknown) => void;
}

/** Stat probes asked of a transport in the same moment, not sent yet. */
const asked = new WeakMap<Transport, StatAsk[]>();

/**
 * State of `paths` on the host (sha256 of those in `hash`); absent paths are not in the map.
 * Probes asked at the same moment (a run plans every task at once) go out as ONE stat and one
 * sha256sum for all of them: each probe of its own was two processes on the host, a quarter of
 * what a no-op apply starts there. Each caller gets only its own paths, as if it had asked alone.
 */
export function statRemote(
  t: Transport,
  paths: readonly string[],
  hash: readonly string[] = paths,
): Promise<Map<string, RemoteFile>> {
  if (paths.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    let asks = asked.get(t);
    if (!asks) {
      const batch: StatAsk[] = (asks = []);
      asked.set(t, batch);
      // After the code that is asking now, and before the transport sends what it was asked.
      queueMicrotask(() => {
        asked.delete(t);
        void statTogether(t, batch);
      });
    }
    asks.push({ paths, hash, resolve, reject });
  });
}

async function statTogether(t: Transport, asks: StatAsk[]): Promise<void> {
  const unique = (lists: (readonly string[])[]): string[] => [...new Set(lists.flat())];
  try {
    const r = await t.run(
      statCommand(unique(asks.map((a) => a.paths)), unique(asks.map((a) => a.hash))),
    );
    const all = parseStat(r.stdout);
    for (const a of asks) {
      const mine = new Map<string, RemoteFile>();
      for (const p of a.paths) {
        const f = all.get(p);
        if (!f) continue;
        const { sha256, ...rest } = f;
        mine.set(p, sha256 !== undefined && a.hash.includes(p) ? { ...rest, sha256 } : rest);
      }
      a.resolve(mine);
    }
  } catch (err) {
    for (const a of asks) a.reject(err);
  }
}

/** Reads small text files (for diffs); missing files come back as null. */
export async function readRemoteText(t: Transport, path: string): Promise<string | null> {
  const r = await t.run(sh`cat -- ${path}`);
  return r.exitCode === 0 ? r.stdout : null;
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

export interface Ownership {
  mode?: number;
  owner?: string;
  group?: string;
}

function chownArg(o: Ownership): string | undefined {
  if (o.owner && o.group) return `${o.owner}:${o.group}`;
  if (o.owner) return o.owner;
  if (o.group) return `:${o.group}`;
  return undefined;
}

/** chmod/chown commands on `target` ($tmp or a path) for the parts of `o` that are set. */
function metaCommands(target: string | ReturnType<typeof raw>, o: Ownership): string[] {
  const own = chownArg(o);
  return [
    ...(own ? [sh`chown ${own} ${target}`] : []),
    ...(o.mode !== undefined ? [sh`chmod ${octal(o.mode)} ${target}`] : []),
  ];
}

/**
 * Writes stdin (or a copy of `fromRemote`) to `dest` atomically. The parent directory is created
 * when missing, since rendered files such as pxelinux.cfg/<HEX> live in directories of their own.
 */
export function atomicWrite(dest: string, o: Ownership, fromRemote?: string): string {
  const dir = dirname(dest);
  const tmp = raw('"$tmp"');
  // A copy of a file on the host keeps its modification time: it is compared by size and mtime.
  const fill =
    fromRemote === undefined
      ? sh`cat > ${tmp}`
      : sh`cat -- ${fromRemote} > ${tmp} && touch -r ${fromRemote} ${tmp}`;
  const body = [fill, ...metaCommands(tmp, o), sh`mv -f -- ${tmp} ${dest}`].join(" && ");
  // The trap removes the temporary file when the command is stopped (an interrupted run); it is
  // set before the file exists, so no signal finds the file without it.
  const trap = `trap 'rm -f -- "$tmp"; exit 143' TERM INT HUP`;
  return sh`mkdir -p -- ${dir} && ${raw(trap)} && tmp=$(mktemp -- ${`${dir}/.ksorch.XXXXXX`}) && { ${raw(body)} || { rm -f -- ${tmp}; exit 1; }; }`;
}

/** Fixes owner and mode in place. */
export function setMeta(path: string, o: Ownership): string {
  return metaCommands(path, o).join(" && ");
}

/** The parts of `o` that are set, in words: "mode 0755, owner root". */
export function describeMeta(o: Ownership): string {
  return [
    ...(o.mode !== undefined ? [`mode ${octal(o.mode)}`] : []),
    ...(o.owner !== undefined ? [`owner ${o.owner}`] : []),
    ...(o.group !== undefined ? [`group ${o.group}`] : []),
  ].join(", ");
}

/** What differs between the desired ownership and a remote file, in words. */
export function metaDiffers(current: RemoteFile, o: Ownership): string[] {
  const out: string[] = [];
  if (o.mode !== undefined && current.mode !== o.mode)
    out.push(`mode ${octal(current.mode)} -> ${octal(o.mode)}`);
  if (o.owner !== undefined && current.owner !== o.owner)
    out.push(`owner ${current.owner} -> ${o.owner}`);
  if (o.group !== undefined && current.group !== o.group)
    out.push(`group ${current.group} -> ${o.group}`);
  return out;
}

/** The step that fixes owner/mode of an existing path, when anything differs. */
export function metaStep(current: RemoteFile, o: Ownership): CommandStep | undefined {
  const d = metaDiffers(current, o);
  return d.length === 0
    ? undefined
    : command(`${current.path}: ${d.join(", ")}`, setMeta(current.path, o));
}
