// sync: a local directory tree onto the host (the install tree, gigabytes and thousands of
// files). Compares a local manifest with the remote one from one find command, then sends only
// what differs as one tar stream over stdin and removes extras only when asked.
import { spawn } from "node:child_process";
import { isAbsolute, resolve } from "node:path";
import type { Readable } from "node:stream";
import { z } from "zod";
import { raw, sh } from "../../transport/quote.js";
import { absolutePath } from "../files/args.js";
import { change, command, defineModule, noop, type Step } from "../types.js";
import {
  addLocalChecksums,
  applyRemoteChecksums,
  diffTrees,
  globToRegExp,
  localManifest,
  parseRemoteManifest,
  remoteChecksumCommand,
  remoteManifestCommand,
  STAGING_PREFIX,
  takeStaging,
  tarSize,
  withParents,
  type Entry,
  type Manifest,
} from "./manifest.js";

const args = z.strictObject({
  /** Local directory (absolute, or relative to the project root). Its content goes into dest. */
  src: z.string().min(1),
  dest: absolutePath,
  /** Remove what dest has and src does not (never what `exclude` matches). */
  delete: z.boolean().default(false),
  /** Compare sha256 of every file instead of size + modification time (slower, exact). */
  checksum: z.boolean().default(false),
  /** Globs of relative paths to leave alone on both sides (`*`, `**`, `?`). */
  exclude: z.array(z.string().min(1)).default([]),
});

/** A tar stream of `entries` made by the local tar: fast, and it keeps modes, links, mtimes. */
export function tarStream(root: string, entries: readonly Entry[]): Readable {
  const tar = spawn("tar", ["-C", root, "--no-recursion", "--null", "-T", "-", "-cf", "-"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  tar.stderr.on("data", (d: Buffer) => (err += d.toString()));
  tar.on("close", (code) => {
    if (code !== 0) tar.stdout.destroy(new Error(`local tar failed (${code}): ${err.trim()}`));
  });
  tar.stdin.end(entries.map((e) => `${e.path}\0`).join(""));
  return tar.stdout;
}

const MB = 1024 * 1024;

/**
 * Extracts a tar stream into `dest` so that no file is ever seen half written: into a staging
 * directory below dest (the same file system), then each directory is made (with its mode) and
 * every file and link renamed into place with one `mv` per directory; rename(2) replaces a file
 * at once. An interrupted copy (SIGTERM, a full disk) leaves the tree as it was, and its trap
 * removes the staging directory; one a SIGKILL left is removed by the next copy.
 */
export function stagedExtract(dest: string): string {
  const dirs = sh`for d; do mkdir -p -- "$0/$d" && chmod --reference="$d" -- "$0/$d" || exit 1; done`;
  const files = sh`for d; do find "$d" -mindepth 1 -maxdepth 1 ! -type d -exec mv -f -t "$0/$d" -- {} + || exit 1; done`;
  return [
    sh`mkdir -p -- ${dest} && cd ${dest} && rm -rf ./${raw(STAGING_PREFIX)}*`,
    sh`stage=$(mktemp -d ${`${dest}/${STAGING_PREFIX}XXXXXX`})`,
    `trap 'rm -rf "$stage"' EXIT && trap 'exit 143' TERM INT HUP`,
    sh`tar -C "$stage" -xpf - --no-same-owner && cd "$stage"`,
    sh`find . -mindepth 1 -type d -printf '%P\\0' | xargs -0 -r sh -c ${dirs} ${dest}`,
    sh`find . -type d -print0 | xargs -0 -r sh -c ${files} ${dest}`,
  ].join(" && ");
}

export const syncModule = defineModule({
  name: "sync",
  description:
    "Copy a local directory tree to the host: only what differs, as one tar stream; delete extras if asked",
  args,
  async plan(a, host) {
    const root = isAbsolute(a.src) ? a.src : resolve(host.localRoot, a.src);
    const exclude = a.exclude.map(globToRegExp);
    // The local tree is read once per run, not once per host and plan: it can hold thousands
    // of files, and a run plans each task ahead and again after a change.
    const readLocal = async (): Promise<Manifest> => {
      const m = await localManifest(root, exclude);
      if (a.checksum) await addLocalChecksums(root, m);
      return m;
    };
    const [local, remoteOut] = await Promise.all([
      host.shared(`sync ${root} ${a.checksum} ${a.exclude.join("\0")}`, readLocal),
      host.transport.run(remoteManifestCommand(a.dest)),
    ]);
    if (remoteOut.exitCode !== 0)
      throw new Error(`reading ${a.dest} failed: ${remoteOut.stderr.trim()}`);
    const remote = parseRemoteManifest(remoteOut.stdout);
    const stale = takeStaging(remote);
    if (a.checksum && remote.size > 0)
      applyRemoteChecksums(
        remote,
        (await host.transport.run(remoteChecksumCommand(a.dest))).stdout,
      );
    const diff = diffTrees(local, remote, { delete: a.delete, checksum: a.checksum, exclude });
    const files = local.size;
    if (diff.send.length === 0 && diff.remove.length === 0 && stale.length === 0)
      return noop(`${a.dest} matches ${root} (${files} entries)`);

    const steps: Step[] = [];
    if (stale.length > 0 && diff.send.length === 0) {
      const paths = stale.map((p) => `${a.dest}/${p}`);
      steps.push(
        command(`remove what an interrupted copy left in ${a.dest}`, sh`rm -rf -- ${paths}`),
      );
    }
    if (diff.remove.length > 0) {
      const list = diff.remove.map((p) => `${p}\0`).join("");
      steps.push(
        command(
          `remove ${diff.remove.length} entries from ${a.dest}`,
          sh`cd ${a.dest} && xargs -0 rm -rf --`,
          { stdin: () => list },
        ),
      );
    }
    if (diff.send.length > 0) {
      const sent = withParents(diff.send, local);
      const bytes = tarSize(sent);
      steps.push(
        command(
          `send ${diff.send.length} entries (${(bytes / MB).toFixed(1)} MB) to ${a.dest}`,
          stagedExtract(a.dest),
          { stdin: () => tarStream(root, sent), bytes },
        ),
      );
    }
    return change(steps.map((s) => s.title).join("; "), steps);
  },
});
