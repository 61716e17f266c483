// Unified diffs of planned file changes. Secret files are never shown, only named.
import { createTwoFilesPatch } from "diff";
import type { FileChange } from "../modules/types.js";

export function unifiedDiff(changes: readonly FileChange[]): string {
  return changes
    .map((c) => {
      if (c.secret) {
        const what = c.before === null ? "created" : c.after === null ? "removed" : "changed";
        return `--- ${c.path}\n+++ ${c.path}\n(secret content ${what}; not shown)\n`;
      }
      return createTwoFilesPatch(
        c.before === null ? "/dev/null" : c.path,
        c.after === null ? "/dev/null" : c.path,
        c.before ?? "",
        c.after ?? "",
        "",
        "",
        { context: 3 },
      );
    })
    .join("");
}
