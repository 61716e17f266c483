// The local files an inventory names must exist on this machine before anything connects: the
// install tree before it is copied to the servers, the SSH keys before a server is reached, the
// secret files before they are rendered. Kept apart from loading because `plan` and `render`
// need only the inventory itself.
import { relative } from "node:path";
import { statSync } from "node:fs";
import { InputError, type Diagnostic } from "../errors.js";
import { labNameOfKey, TREE_DIR } from "../lab/paths.js";
import { unreadableFile } from "../local-file.js";
import { locateField } from "./load.js";
import type { FieldPath } from "./positions.js";
import type { Inventory } from "./types.js";

/** Where `ksorch lab up` puts the install tree it builds. */
export const LAB_TREE = TREE_DIR;

function at(inv: Inventory, paths: FieldPath[], message: string, hint: string): Diagnostic {
  const pos = locateField(inv.file, ...paths);
  return {
    file: inv.file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    field: (paths.at(-1) ?? []).join("."),
    message,
    hint,
  };
}

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
  const hint =
    source === LAB_TREE
      ? 'run "ksorch lab up" to create it'
      : "a directory holding the install tree (images/pxeboot/vmlinuz, initrd.img and the packages)";
  const message = `install tree ${source} does not exist or is not a directory`;
  return [at(inv, [["install", "source"]], message, hint)];
}

/** Each SSH key that cannot be read, once, at the field that names it. */
export function checkSshKeys(inv: Inventory): Diagnostic[] {
  const missing = new Map<string, { server: string; why: string }>();
  for (const s of inv.servers) {
    const key = s.ssh.key;
    if (key === undefined || missing.has(key)) continue;
    const why = unreadableFile(key);
    if (why) missing.set(key, { server: s.name, why });
  }
  return [...missing].map(([key, { server, why }]) => {
    const lab = labNameOfKey(key);
    const hint = lab
      ? `the key of lab ${lab}, which is not up: ksorch lab up --inventory ${relative(process.cwd(), inv.file)}`
      : "a private key file readable by this user, or no key to use the SSH agent";
    const paths: FieldPath[] = [
      ["servers", server, "ssh", "key"],
      ["ssh", "key"],
    ];
    return at(inv, paths, `SSH key ${why.replace(/^cannot read /, "")}`, hint);
  });
}

/** `ha.key_file` and `install.kickstart.rootpw_hash_file`, when named, must be readable. */
function checkSecretFiles(inv: Inventory): Diagnostic[] {
  const files: [FieldPath, string | undefined, string][] = [
    [["ha", "key_file"], inv.ha.keyFile, "the heartbeat key"],
    [
      ["install", "kickstart", "rootpw_hash_file"],
      inv.install.kickstart.rootpwHashFile,
      "a crypt hash",
    ],
  ];
  return files.flatMap(([path, file, what]) => {
    const unreadable = file === undefined ? undefined : unreadableFile(file);
    return unreadable ? [at(inv, [path], unreadable, `a file holding ${what}`)] : [];
  });
}

/** Every local file the inventory names that is missing or unreadable. */
export function checkLocalFiles(inv: Inventory): Diagnostic[] {
  return [...checkInstallSource(inv), ...checkSshKeys(inv), ...checkSecretFiles(inv)];
}

/** Throws InputError (exit 2, nothing touched) when the servers' SSH keys cannot be read. */
export function requireSshKeys(inv: Inventory): void {
  const problems = checkSshKeys(inv);
  if (problems.length > 0)
    throw new InputError(`cannot reach the servers of ${inv.file}`, problems);
}
