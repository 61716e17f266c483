// The local files an inventory names must exist on this machine before anything connects: the
// install tree, the SSH keys, the secret files. Kept apart from loading because `plan` needs
// only the inventory itself.
import { readFileSync, statSync } from "node:fs";
import { parseDocument } from "yaml";
import type { Diagnostic } from "../errors.js";
import { unreadableFile } from "../local-file.js";
import { locateField } from "./load.js";
import type { FieldPath } from "./positions.js";
import type { Inventory } from "./types.js";

/** Where `ksorch lab up` puts the install tree it builds. */
export const LAB_TREE = "/var/cache/ksorch/tree";

function at(inv: Inventory, path: FieldPath, message: string, hint: string): Diagnostic {
  const pos = locateField(inv.file, path);
  return {
    file: inv.file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    field: path.join("."),
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
  return [at(inv, ["install", "source"], message, hint)];
}

/** Each SSH key that cannot be read, once, at the field that names it. */
function checkSshKeys(inv: Inventory): Diagnostic[] {
  let doc: ReturnType<typeof parseDocument> | undefined;
  try {
    doc = parseDocument(readFileSync(inv.file, "utf8"));
  } catch {
    doc = undefined;
  }
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const s of inv.servers) {
    const key = s.ssh.key;
    const unreadable = key === undefined ? undefined : unreadableFile(key);
    if (!unreadable) continue;
    const own = ["servers", s.name, "ssh", "key"];
    const path = doc?.hasIn(own) ? own : ["ssh", "key"];
    if (seen.has(path.join("."))) continue;
    seen.add(path.join("."));
    const lab = /\/labs\/([^/]+)\/ssh\//.exec(key ?? "")?.[1];
    const hint = lab
      ? `the lab's key: run "ksorch lab up --name ${lab}" first`
      : "a private key file readable by this user, or no key to use the SSH agent";
    out.push(at(inv, path, `SSH key ${unreadable.replace(/^cannot read /, "")}`, hint));
  }
  return out;
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
    return unreadable ? [at(inv, path, unreadable, `a file holding ${what}`)] : [];
  });
}

/** Every local file the inventory names that is missing or unreadable. */
export function checkLocalFiles(inv: Inventory): Diagnostic[] {
  return [...checkInstallSource(inv), ...checkSshKeys(inv), ...checkSecretFiles(inv)];
}
