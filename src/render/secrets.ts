// The two secrets rendering needs: heartbeat's authkeys key and the root password hash of the
// installed clients. Each comes from the environment, else a file named in the inventory, else
// is generated once and kept (mode 600) under the secrets folder, outside any git tree, so
// every later render and apply use the same value. Values are never printed.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { Inventory } from "../inventory/types.js";

export interface Secrets {
  /** heartbeat authkeys `sha1` key. */
  haKey: string;
  /** crypt(3) hash for kickstart's `rootpw --iscrypted`. */
  rootpwHash: string;
}

export const DEFAULT_SECRETS_DIR = "/var/lib/ksorch/secrets";

type Env = Record<string, string | undefined>;

/** `KSORCH_SECRETS_DIR` moves the folder (tests, unprivileged users). */
export function secretsDir(env: Env = process.env): string {
  return env.KSORCH_SECRETS_DIR ?? DEFAULT_SECRETS_DIR;
}

const CRYPT_RE = /^\$(1|5|6|y|2[aby])\$[./A-Za-z0-9$=,]+$/;
const KEY_RE = /^[!-~]{8,}$/;

function readSecretFile(file: string, field: string, what: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read ${what} file ${file} (${code})`, [
      { file, field, message: `cannot read the file (${code})`, hint: `a file holding ${what}` },
    ]);
  }
}

function invalid(source: string, what: string, hint: string): never {
  // The value itself is never echoed: it may be a real secret with a typo.
  throw new InputError(`${source} does not hold a valid ${what}`, [
    { file: source, message: `not a valid ${what}`, hint },
  ]);
}

/** Reads `<dir>/<name>`, or creates it (mode 600, exclusively) with `make()`'s value. */
function keptSecret(dir: string, name: string, make: () => string): string {
  const file = join(dir, name);
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const value = make();
    try {
      writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
      return value;
    } catch {
      // Another ksorch process created it first: use theirs so both agree.
      return readFileSync(file, "utf8").trim();
    }
  }
}

/** sha512-crypt of `password`, by the openssl command line (present wherever ksorch runs). */
export function sha512Crypt(password: string): string {
  return execFileSync("openssl", ["passwd", "-6", "-stdin"], {
    input: password,
    encoding: "utf8",
  }).trim();
}

function haKey(inv: Inventory, env: Env, dir: string): string {
  const hint = "at least 8 printable characters without spaces";
  if (env.KSORCH_HA_KEY !== undefined) {
    if (!KEY_RE.test(env.KSORCH_HA_KEY)) invalid("KSORCH_HA_KEY", "heartbeat key", hint);
    return env.KSORCH_HA_KEY;
  }
  if (inv.ha.keyFile) {
    const key = readSecretFile(inv.ha.keyFile, "ha.key_file", "the heartbeat key");
    if (!KEY_RE.test(key)) invalid(inv.ha.keyFile, "heartbeat key", hint);
    return key;
  }
  return keptSecret(dir, `${inv.name}.key`, () => randomBytes(32).toString("hex"));
}

function rootpwHash(inv: Inventory, env: Env, dir: string): string {
  const hint = "a crypt hash such as the output of `openssl passwd -6`";
  if (env.KSORCH_ROOTPW_HASH !== undefined) {
    if (!CRYPT_RE.test(env.KSORCH_ROOTPW_HASH))
      invalid("KSORCH_ROOTPW_HASH", "password hash", hint);
    return env.KSORCH_ROOTPW_HASH;
  }
  const file = inv.install.kickstart.rootpwHashFile;
  if (file) {
    const hash = readSecretFile(
      file,
      "install.kickstart.rootpw_hash_file",
      "the root password hash",
    );
    if (!CRYPT_RE.test(hash)) invalid(file, "password hash", hint);
    return hash;
  }
  // The generated password is kept next to its hash so an operator can log into a client.
  return keptSecret(dir, `${inv.name}.rootpw.hash`, () =>
    sha512Crypt(keptSecret(dir, `${inv.name}.rootpw`, () => randomBytes(18).toString("base64url"))),
  );
}

/** The cluster's secrets; may create them under `secretsDir(env)` on first use. */
export function loadSecrets(inv: Inventory, env: Env = process.env): Secrets {
  const dir = secretsDir(env);
  return { haKey: haKey(inv, env, dir), rootpwHash: rootpwHash(inv, env, dir) };
}
