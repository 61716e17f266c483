// The one thing an install client needs from a kickstart file: where the tree is.

/** The URL of `url --url=X`, `url --url X` or `url --url="X"`. */
export function installUrl(kickstart: string): string | undefined {
  for (const raw of kickstart.split("\n")) {
    const line = raw.trim();
    if (!/^url\s/.test(line)) continue;
    const m = /--url(?:=|\s+)("([^"]*)"|'([^']*)'|(\S+))/.exec(line);
    const url = m?.[2] ?? m?.[3] ?? m?.[4];
    if (url) return url;
  }
  return undefined;
}

/** `base` + `/` + `rel`, with exactly one slash between them. */
export function joinUrl(base: string, rel: string): string {
  return `${base.replace(/\/+$/, "")}/${rel.replace(/^\/+/, "")}`;
}

/** Lines `<sha256>  <path>` (sha256sum's format) as path -> hex digest. */
export function parseManifest(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) sums.set(m[2], m[1]);
  }
  return sums;
}
