// The Debian mirror the image is built from is read from this machine's own apt sources at
// run time, so no mirror host name is ever written into the code or the repository.
import { readFile } from "node:fs/promises";
import { TaskError } from "../errors.js";

const DEB822 = "/etc/apt/sources.list.d/debian.sources";
const ONE_LINE = "/etc/apt/sources.list";

/** First `URIs:` of a deb822 stanza of type `deb` that serves `suite` itself. */
export function mirrorFromDeb822(text: string, suite: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split("\n")) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    const types = (fields.get("types") ?? "").split(/\s+/);
    const suites = (fields.get("suites") ?? "").split(/\s+/);
    const uri = fields.get("uris")?.split(/\s+/)[0];
    if (types.includes("deb") && suites.includes(suite) && uri) return uri;
  }
  return undefined;
}

/** URI of the first one-line `deb URI suite ...` entry (options in brackets allowed). */
export function mirrorFromOneLine(text: string, suite: string): string | undefined {
  for (const raw of text.split("\n")) {
    const words = raw
      .replace(/#.*/, "")
      .replace(/\[[^\]]*\]/, "")
      .trim()
      .split(/\s+/);
    if (words[0] === "deb" && words[2] === suite && words[1]) return words[1];
  }
  return undefined;
}

async function readOrEmpty(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}

export async function debianMirror(suite: string): Promise<string> {
  const uri =
    mirrorFromDeb822(await readOrEmpty(DEB822), suite) ??
    mirrorFromOneLine(await readOrEmpty(ONE_LINE), suite);
  if (!uri) throw new TaskError(`no apt source for Debian ${suite} in ${DEB822} or ${ONE_LINE}`);
  return uri;
}
