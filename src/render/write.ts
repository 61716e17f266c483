// Writes rendered files under a local folder, DIR/<server>/<absolute path>, for inspection or
// review. Each file is written to a temporary name and renamed, so an interrupted render never
// leaves half a file; secrets are mode 600 here whatever their mode on the server.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RenderedFile } from "./types.js";

export interface WrittenFile {
  server: string;
  /** Path on the server. */
  path: string;
  /** Where it was written locally. */
  local: string;
  mode: number;
  bytes: number;
  secret: boolean;
}

function writeAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.ksorch-${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, content, { mode, flag: "wx" });
    chmodSync(tmp, mode); // the umask may have narrowed or, for a reused name, not applied it
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeRendered(
  outDir: string,
  server: string,
  files: RenderedFile[],
): WrittenFile[] {
  return files.map((f) => {
    const local = join(outDir, server, f.path);
    const mode = f.secret ? 0o600 : f.mode;
    writeAtomic(local, f.content, mode);
    return {
      server,
      path: f.path,
      local,
      mode,
      bytes: Buffer.byteLength(f.content),
      secret: f.secret,
    };
  });
}
