// The installer's initramfs (Anaconda's dracut hooks): the kickstart from the first `inst.ks=`
// source that serves it (every one with `inst.ks.all`, else the last), then
// stage2 from the first `inst.stage2=` source that serves it (else `inst.repo=`, else the
// kickstart's `url --url`): `.treeinfo`'s `[stage2] mainimage` (else images/install.img), as
// anaconda_net_root in Anaconda's dracut/anaconda-lib.sh does. The real
// profile fetches each once with dracut's curl arguments (./profile.ts); the patient one
// resumes until its deadline.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { curlRetries, download, fetchOnce, type FetchContext } from "./fetch.js";
import { joinUrl } from "./kickstart.js";
import type { ClientProfile } from "./profile.js";

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (b) => h.update(b))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

/** Fetches `url` to `dest` as the profile's dracut would; throws naming curl's error. */
export async function dracutFetch(
  ctx: FetchContext,
  profile: ClientProfile,
  file: string,
  url: string,
  dest: string,
): Promise<void> {
  if (!profile.curlArgs) return download(ctx, file, url, dest);
  const r = await fetchOnce(ctx, file, url, dest, profile.curlArgs);
  for (let i = curlRetries(r.stderr); i > 0; i--) ctx.onRetry(file, r.exitCode);
  if (r.exitCode !== 0)
    throw new Error(`${url}: curl exit ${r.exitCode}: ${lastLine(r.stderr)} (dracut's fetch_url)`);
}

const lastLine = (text: string): string =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .pop() ?? "";

/** `key = value` of `[section]` in an ini file such as .treeinfo. */
export function iniValue(text: string, section: string, key: string): string | undefined {
  let inSection = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const head = /^\[(.+)\]$/.exec(line);
    if (head) inSection = head[1] === section;
    else if (inSection) {
      const m = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (m?.[1] === key) return m[2];
    }
  }
  return undefined;
}

/** A source given up on, with its error. */
export interface FailedSource {
  source: string;
  error: string;
}

/**
 * The first of `sources` that `fetch` succeeds with, trying them in order as Anaconda's dracut
 * hooks loop over their URLs, and the ones given up on before it. Throws every source's error
 * when none succeeds.
 */
export async function firstSource<T>(
  ctx: FetchContext,
  what: string,
  sources: readonly string[],
  fetch: (source: string) => Promise<T>,
): Promise<{ value: T; source: string; failed: FailedSource[] }> {
  const failed: FailedSource[] = [];
  for (const source of sources) {
    try {
      return { value: await fetch(source), source, failed };
    } catch (e) {
      failed.push({ source, error: e instanceof Error ? e.message : String(e) });
      if (source !== sources.at(-1)) ctx.onRetry(what, 0);
    }
  }
  throw new Error(failed.map((f) => f.error).join("; then ") || `no ${what} source`);
}

export interface Stage2 {
  /** The tree stage2 came from: the first of the sources that served it whole. */
  tree: string;
  url: string;
  bytes: number;
  checksumOk: boolean;
  /** The sources given up on before. */
  failed: FailedSource[];
}

/**
 * Stage2 from the first of `sources` (install trees, in the order dracut tries them: the
 * `inst.stage2=` URLs) that serves it: its .treeinfo, then the image that names, checked
 * against its `[checksums]` entry. Throws the last source's error when none does.
 */
export async function fetchStage2(
  ctx: FetchContext,
  profile: ClientProfile,
  sources: readonly string[],
  dir: string,
): Promise<Stage2> {
  const r = await firstSource(ctx, "stage2", sources, (tree) =>
    stage2From(ctx, profile, tree, dir),
  );
  return { ...r.value, failed: r.failed };
}

async function stage2From(
  ctx: FetchContext,
  profile: ClientProfile,
  tree: string,
  dir: string,
): Promise<Omit<Stage2, "failed">> {
  const info = join(dir, "treeinfo");
  await dracutFetch(ctx, profile, ".treeinfo", joinUrl(tree, ".treeinfo"), info);
  const treeinfo = await readFile(info, "utf8");
  const image = iniValue(treeinfo, "stage2", "mainimage") ?? "images/install.img";
  const dest = join(dir, "install.img");
  const url = joinUrl(tree, image);
  await dracutFetch(ctx, profile, image, url, dest);
  const want = iniValue(treeinfo, "checksums", image)?.replace(/^sha256:/, "");
  const got = await sha256File(dest);
  const { size: bytes } = await stat(dest);
  return { tree, url, bytes, checksumOk: want === got };
}
