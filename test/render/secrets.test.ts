import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadSecrets, sha512Crypt } from "../../src/render/secrets.js";
import { labInventory } from "./fixture.js";

const dir = mkdtempSync(join(tmpdir(), "ksorch-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const inv = labInventory();

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

describe("loadSecrets", () => {
  it("generates both secrets once, keeps them mode 600, and reuses them", () => {
    const env = { KSORCH_SECRETS_DIR: join(dir, "gen") };
    const first = loadSecrets(inv, env);
    expect(first.haKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.rootpwHash).toMatch(/^\$6\$/);
    expect(loadSecrets(inv, env)).toEqual(first);
    for (const name of ["lab.key", "lab.rootpw", "lab.rootpw.hash"])
      expect(statSync(join(env.KSORCH_SECRETS_DIR, name)).mode & 0o777).toBe(0o600);
    // The kept password really is the one the hash was made from.
    const password = readFileSync(join(env.KSORCH_SECRETS_DIR, "lab.rootpw"), "utf8").trim();
    const salt = first.rootpwHash.split("$")[2] ?? "";
    const again = execFileSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], {
      input: password,
      encoding: "utf8",
    }).trim();
    expect(again).toBe(first.rootpwHash);
  });

  it("prefers the environment", () => {
    const hash = sha512Crypt("secret");
    const s = loadSecrets(inv, {
      KSORCH_SECRETS_DIR: join(dir, "env"),
      KSORCH_HA_KEY: "from-the-environment",
      KSORCH_ROOTPW_HASH: hash,
    });
    expect(s).toEqual({ haKey: "from-the-environment", rootpwHash: hash });
  });

  it("reads files named in the inventory", () => {
    const keyFile = join(dir, "ha.key");
    const hashFile = join(dir, "root.hash");
    writeFileSync(keyFile, "key-from-a-file\n");
    writeFileSync(hashFile, `${sha512Crypt("x")}\n`);
    const withFiles = {
      ...inv,
      ha: { ...inv.ha, keyFile },
      install: {
        ...inv.install,
        kickstart: { ...inv.install.kickstart, rootpwHashFile: hashFile },
      },
    };
    const s = loadSecrets(withFiles, { KSORCH_SECRETS_DIR: join(dir, "files") });
    expect(s.haKey).toBe("key-from-a-file");
    expect(s.rootpwHash).toBe(readFileSync(hashFile, "utf8").trim());
  });

  it("rejects a malformed value without repeating it", () => {
    const bad = "not a hash at all";
    const err = thrown(() =>
      loadSecrets(inv, {
        KSORCH_SECRETS_DIR: join(dir, "bad"),
        KSORCH_HA_KEY: "ok-key-123",
        KSORCH_ROOTPW_HASH: bad,
      }),
    );
    expect(JSON.stringify([err.message, err.diagnostics])).not.toContain(bad);
    const weak = thrown(() =>
      loadSecrets(inv, { KSORCH_SECRETS_DIR: join(dir, "bad"), KSORCH_HA_KEY: "has space" }),
    );
    expect(JSON.stringify([weak.message, weak.diagnostics])).not.toContain("has space");
  });

  it("reports a missing key file as bad input", () => {
    const missing = { ...inv, ha: { ...inv.ha, keyFile: join(dir, "none") } };
    expect(
      thrown(() => loadSecrets(missing, { KSORCH_SECRETS_DIR: dir })).diagnostics[0]?.field,
    ).toBe("ha.key_file");
  });
});
