// Where the lab keeps things. Caches are shared by every lab; state is per lab name.
import { basename, dirname, join } from "node:path";

/** Image, install tree and downloaded packages; KSORCH_CACHE moves them (e.g. to time a cold
 *  start without disturbing labs running on the shared image). */
export const CACHE_DIR = process.env.KSORCH_CACHE ?? "/var/cache/ksorch";
/** Bump when the image's contents change (src/lab/image.ts). Each version has a directory of
 *  its own: the new one is built beside the old, which labs still running keep as their
 *  overlay's lower layer (changing a mounted lower layer in place is undefined behaviour). */
export const IMAGE_VERSION = 2;
export const IMAGE_DIR = join(CACHE_DIR, `image-v${IMAGE_VERSION}`);
export const TREE_DIR = join(CACHE_DIR, "tree");
export const LABS_DIR = "/var/lib/ksorch/labs";
export const DEFAULT_LAB = "lab";

/**
 * The lab whose own SSH key `key` is (LABS_DIR/NAME/ssh/id_ed25519, as `lab up` writes it into
 * a lab's inventory), or undefined for any other key.
 */
export function labNameOfKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const name = basename(dirname(dirname(key)));
  return key === labPaths(name).key ? name : undefined;
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

export function labPaths(name: string): LabPaths {
  const root = join(LABS_DIR, name);
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
