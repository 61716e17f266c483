// Where the lab keeps things. Caches are shared by every lab; state is per lab name.
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

/** Image, install tree and downloaded packages; KSORCH_CACHE moves them (e.g. to time a cold
 *  start without disturbing labs running on the shared image). */
export const CACHE_DIR = process.env.KSORCH_CACHE ?? "/var/cache/ksorch";
/** Bump when the image's base system changes (src/lab/image.ts); added cached packages need no
 *  bump (isCurrent compares the lists). Each version has a directory of its own: the new one
 *  is built beside the old, which labs still running keep as their overlay's lower layer
 *  (changing a mounted lower layer in place is undefined behaviour). */
export const IMAGE_VERSION = 2;
export const IMAGE_DIR = join(CACHE_DIR, `image-v${IMAGE_VERSION}`);
/** Bump when the install tree's format changes (src/lab/tree/build.ts); like the image, each
 *  version has a directory of its own, so labs and inventories on the old one keep working. */
export const TREE_VERSION = 2;
export const TREE_DIR = join(CACHE_DIR, `tree-v${TREE_VERSION}`);
export const LABS_DIR = "/var/lib/ksorch/labs";
export const DEFAULT_LAB = "lab";

/**
 * A lab name: it prefixes namespace names (`<name>.server1`, at most 15 characters in `ip netns`
 * listings and interface moves) and is one folder below LABS_DIR, so it can never be empty, a
 * path, `.` or `..`.
 */
const LAB_NAME_RE = /^[a-z][a-z0-9-]{0,11}$/;
export const LAB_NAME_HINT =
  "lower-case letters, digits and '-', starting with a letter, at most 12 characters";

export const isLabName = (name: string): boolean => LAB_NAME_RE.test(name);

/** `name`, or an InputError (exit 2) before anything is read, started or removed. */
export function checkLabName(name: string): string {
  if (isLabName(name)) return name;
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
  throw new InputError(`invalid lab name ${shown}: ${LAB_NAME_HINT}`);
}

/**
 * The lab whose own SSH key `key` is (LABS_DIR/NAME/ssh/id_ed25519, as `lab up` writes it into
 * a lab's inventory), or undefined for any other key.
 */
export function labNameOfKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const name = basename(dirname(dirname(key)));
  return isLabName(name) && key === labPaths(name).key ? name : undefined;
}

/** Every path of one lab, derived from its name only. */
export interface LabPaths {
  root: string;
  state: string;
  sshDir: string;
  key: string;
  knownHosts: string;
  /** Unix sockets joining the two socat halves of each published sshd. */
  runDir: string;
  hostsDir: string;
  /** An inventory equal to the one given to `lab up` but pointing at this lab. */
  inventory: string;
  clientsDir: string;
}

/** Throws InputError for a name that is not a lab name (see checkLabName). */
export function labPaths(name: string): LabPaths {
  const root = join(LABS_DIR, checkLabName(name));
  const sshDir = join(root, "ssh");
  return {
    root,
    state: join(root, "state.json"),
    sshDir,
    key: join(sshDir, "id_ed25519"),
    knownHosts: join(sshDir, "known_hosts"),
    runDir: join(root, "run"),
    hostsDir: join(root, "hosts"),
    inventory: join(root, "inventory.yaml"),
    clientsDir: join(root, "clients"),
  };
}

/** A server's disk (overlay upper and work dirs) and its console log. */
export function hostPaths(lab: string, host: string) {
  const dir = join(labPaths(lab).hostsDir, host);
  return {
    dir,
    upper: join(dir, "upper"),
    work: join(dir, "work"),
    merged: join(dir, "merged"),
    console: join(dir, "console.log"),
  };
}
