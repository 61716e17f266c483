// The installer's initramfs (Anaconda's dracut hooks): the kickstart from `inst.ks=`, then
// stage2 from the kickstart's `url --url`: `.treeinfo`'s `[stage2] mainimage` (else
// images/install.img), as anaconda_net_root in Anaconda's dracut/anaconda-lib.sh does. The real
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

export interface Stage2 {
  url: string;
  bytes: number;
  checksumOk: boolean;
}

/** .treeinfo, then the stage2 image it names, checked against its `[checksums]` entry. */
export async function fetchStage2(
  ctx: FetchContext,
  profile: ClientProfile,
  treeUrl: string,
  dir: string,
): Promise<Stage2> {
  const info = join(dir, "treeinfo");
  await dracutFetch(ctx, profile, ".treeinfo", joinUrl(treeUrl, ".treeinfo"), info);
  const treeinfo = await readFile(info, "utf8");
  const image = iniValue(treeinfo, "stage2", "mainimage") ?? "images/install.img";
  const dest = join(dir, "install.img");
  const url = joinUrl(treeUrl, image);
  await dracutFetch(ctx, profile, image, url, dest);
  const want = iniValue(treeinfo, "checksums", image)?.replace(/^sha256:/, "");
  const got = await sha256File(dest);
  const { size: bytes } = await stat(dest);
  return { url, bytes, checksumOk: want === got };
}
