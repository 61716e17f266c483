// A lab name becomes namespace names and a folder below the labs' folder that `lab down`
// removes: every way in refuses a name that is not a short identifier, before anything is read,
// killed or removed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { labDown } from "../../src/lab/down.js";
import { withLabLock } from "../../src/lab/lock.js";
import { LABS_DIR, checkLabName, labPaths } from "../../src/lab/paths.js";
import { planLab } from "../../src/lab/topology.js";

const HOSTILE = [
  "",
  "/",
  ".",
  "..",
  "/../../../tmp/x",
  "a/b",
  "lab\n",
  "Lab",
  "-x",
  "abcdefghijklm",
];

describe("lab names", () => {
  it.each(["lab", "k3", "itlab", "a-b-c", "abcdefghijkl"])("accepts %j", (name) => {
    expect(checkLabName(name)).toBe(name);
    expect(labPaths(name).root).toBe(join(LABS_DIR, name));
  });

  it.each(HOSTILE)("refuses %j everywhere: paths, plan, lock", async (name) => {
    expect(() => labPaths(name)).toThrow(InputError);
    expect(() =>
      planLab({ cluster: "lab", subnet: "10.0.0.0/24", servers: [], clients: [] }, { name }),
    ).toThrow(/invalid lab name .*lower-case letters, digits and '-'/);
    const locked = withLabLock(
      name,
      () => undefined,
      () => Promise.resolve(),
    );
    await expect(locked).rejects.toThrow(InputError);
  });

  it("cuts a long hostile name in the message", () => {
    expect(() => checkLabName("x".repeat(5000))).toThrow(/^invalid lab name "x{40}\.\.\."/);
  });
});

describe("lab down with a hostile name", () => {
  const outside = mkdtempSync(join(tmpdir(), "ksorch-outside-"));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  it("removes nothing outside the labs' folder (it used to remove this folder)", async () => {
    writeFileSync(join(outside, "keep"), "mine\n");
    // join(LABS_DIR, name) of this name is `outside` itself.
    const name = `/../../../..${outside}`;
    expect(join(LABS_DIR, name)).toBe(outside);
    await expect(labDown(name)).rejects.toThrow(InputError);
    expect(existsSync(join(outside, "keep"))).toBe(true);
  });
});
