// The install tree must exist on this machine before anything is copied to the servers. Kept
// apart from loading because `plan` and `render` need only the inventory, not the tree.
import { statSync } from "node:fs";
import type { Diagnostic } from "../errors.js";
import { locateField } from "./load.js";
import type { Inventory } from "./types.js";
import { TREE_DIR } from "../lab/paths.js";

/** Where `ksorch lab up` puts the install tree it builds. */
export const LAB_TREE = TREE_DIR;

/** Problems with `install.source`, empty when the tree is a readable directory. */
export function checkInstallSource(inv: Inventory): Diagnostic[] {
  const source = inv.install.source;
  let isDir = false;
  try {
    isDir = statSync(source).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir) return [];
  const at = locateField(inv.file, ["install", "source"]);
  return [
    {
      file: inv.file,
      ...(at ? { line: at.line, column: at.column } : {}),
      field: "install.source",
      message: `install tree ${source} does not exist or is not a directory`,
      hint:
        source === LAB_TREE
          ? 'run "ksorch lab up" to create it'
          : "a directory holding the install tree (images/pxeboot/vmlinuz, initrd.img and the packages)",
    },
  ];
}
