// Local files an inventory names must exist before anything connects: the install tree before
// it is copied to the servers, the SSH key before a server is reached. Kept apart from loading
// because `plan` and `render` need only the inventory.
import { accessSync, constants, statSync } from "node:fs";
import { labNameOfKey } from "../lab/paths.js";
import { relative } from "node:path";
import { InputError, type Diagnostic } from "../errors.js";
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

/** Problems with the SSH keys the servers use, empty when every key file is readable. */
export function checkSshKeys(inv: Inventory): Diagnostic[] {
  const missing = new Map<string, string>();
  for (const s of inv.servers) {
    const key = s.ssh.key;
    if (key === undefined || missing.has(key)) continue;
    try {
      accessSync(key, constants.R_OK);
    } catch {
      missing.set(key, s.name);
    }
  }
  return [...missing].map(([key, server]) => {
    const at = locateField(inv.file, ["servers", server, "ssh", "key"], ["ssh", "key"]);
    const lab = labNameOfKey(key);
    return {
      file: inv.file,
      ...(at ? { line: at.line, column: at.column } : {}),
      field: "ssh.key",
      message: `SSH key ${key} cannot be read`,
      hint: lab
        ? `the key of lab ${lab}, which is not up: ksorch lab up --inventory ${relative(process.cwd(), inv.file)}`
        : "the private key that logs in to the servers, or no key: to use the SSH agent",
    };
  });
}

/** Throws InputError (exit 2, nothing touched) when the servers' SSH keys cannot be read. */
export function requireSshKeys(inv: Inventory): void {
  const problems = checkSshKeys(inv);
  if (problems.length > 0)
    throw new InputError(`cannot reach the servers of ${inv.file}`, problems);
}
