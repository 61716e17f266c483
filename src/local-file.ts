// Local files named by the user (keys, secrets, templates, trees) are checked before any
// connection, with one sentence for what is wrong.
import { accessSync, constants, statSync } from "node:fs";

/** Why `file` is not a readable regular file, or undefined when it is. */
export function unreadableFile(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${file} is not a regular file`;
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${file} does not exist` : `cannot read ${file} (${code ?? "?"})`;
  }
}
