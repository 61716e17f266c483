// Installing whole files (copy, template, config): one stat+sha256 command for all of them, then
// for each file either nothing, an owner/mode fix, or an atomic write, with diffs for display.
import {
  change,
  command,
  noop,
  type FileChange,
  type HostContext,
  type Plan,
  type Step,
} from "../types.js";
import {
  atomicWrite,
  metaStep,
  readRemoteText,
  sha256,
  statRemote,
  type Ownership,
  type RemoteFile,
} from "./remote.js";

/** A file already on the host; its copy keeps the mtime, so size + mtime tell them apart. */
export interface RemoteSource {
  remotePath: string;
  size: number;
  mtime: number;
}

export interface DesiredFile extends Ownership {
  path: string;
  /** Never shown in diffs or output. */
  secret: boolean;
  /** The content to write, or a file on the host to copy (compared by size and mtime). */
  source: { content: string | Buffer } | RemoteSource;
}

function isText(b: string | Buffer): boolean {
  return typeof b === "string" || !b.includes(0);
}

async function fileChange(
  host: HostContext,
  f: DesiredFile,
  cur: RemoteFile | undefined,
): Promise<FileChange | undefined> {
  if (!("content" in f.source)) return undefined;
  const after = f.source.content;
  if (!f.secret && !isText(after)) return undefined;
  const before = cur && !f.secret ? await readRemoteText(host.transport, f.path) : null;
  return {
    path: f.path,
    before: cur ? (before ?? "") : null,
    after: after.toString(),
    secret: f.secret,
  };
}

export async function planFiles(
  host: HostContext,
  files: DesiredFile[],
  known?: Map<string, RemoteFile>,
): Promise<Plan> {
  const stats =
    known ??
    (await statRemote(
      host.transport,
      files.map((f) => f.path),
    ));
  const steps: Step[] = [];
  const changes: FileChange[] = [];
  for (const f of files) {
    const cur = stats.get(f.path);
    if (cur && cur.kind !== "file")
      throw new Error(`${f.path} exists and is a ${cur.kind}, not a file`);
    const same =
      "content" in f.source
        ? cur?.sha256 === sha256(f.source.content)
        : cur?.size === f.source.size && cur.mtime === f.source.mtime;
    if (cur && same) {
      const meta = metaStep(cur, f);
      if (meta) steps.push(meta);
      continue;
    }
    const src = f.source;
    const title = `${cur ? "update" : "create"} ${f.path}`;
    steps.push(
      "content" in src
        ? command(title, atomicWrite(f.path, f), {
            stdin: () => src.content,
            bytes: Buffer.byteLength(src.content),
          })
        : command(title, atomicWrite(f.path, f, src.remotePath)),
    );
    const fc = await fileChange(host, f, cur);
    if (fc) changes.push(fc);
  }
  if (steps.length === 0) {
    return noop(
      files.length === 1 ? `${files[0]?.path} is up to date` : `${files.length} files up to date`,
    );
  }
  return change(steps.map((s) => s.title).join("; "), steps, changes);
}

/** One file; `cur` when the caller already read its state. */
export function installFile(
  host: HostContext,
  f: Ownership & { path: string; secret: boolean },
  source: DesiredFile["source"],
  cur: RemoteFile | undefined,
): Promise<Plan> {
  const known = "remotePath" in source ? new Map(cur ? [[f.path, cur]] : []) : undefined;
  return planFiles(host, [{ ...f, source }], known);
}
