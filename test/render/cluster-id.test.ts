// Rendered files carry the cluster id, never the inventory's file name: a file name is text from
// the file system (a newline in it became live lines of root scripts), and a renamed or copied
// inventory must change nothing on the servers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { labInventoryOf } from "../../src/lab/inventory.js";
import { labInventoryText } from "../../src/lab/lab-inventory.js";
import { planLab } from "../../src/lab/topology.js";
import { loadSecrets } from "../../src/render/secrets.js";
import { LAB_FILE, labText, labWith } from "../inventory/fixture.js";
import { renderAll } from "./fixture.js";

const HOSTILE = "/tmp/x\nrm -rf --no-preserve-root /\n#.yaml";
const contents = (file: string, text = labText()) =>
  [...renderAll(parseInventory(text, file)).values()].flat().map((f) => [f.path, f.content]);

describe("the header of every rendered file", () => {
  it("is the same whatever the inventory's file is called", () => {
    const original = contents(LAB_FILE);
    expect(contents("/elsewhere/copy-of-lab.yaml")).toEqual(original);
    expect(contents(HOSTILE)).toEqual(original);
  });

  it("names the cluster id, and never the file name", () => {
    const files = contents("/site/prod-inventory.yaml");
    const managed = files.filter(([, c]) => c?.includes("Managed by ksorch for cluster "));
    // Every config, script and kickstart the inventory drives (client files name the client).
    expect(managed.length).toBeGreaterThanOrEqual(15);
    for (const [path, content] of managed)
      expect(content, path).toMatch(/^(#!\S+\n)?# Managed by ksorch for cluster lab\b/);
    for (const [path, content] of files) expect(content, path).not.toContain("prod-inventory");
  });

  it("follows the name: field", () => {
    const files = contents(LAB_FILE, labWith(["name: lab", "name: site7"]));
    const ks = files.find(([p]) => p?.endsWith("/ksodd.cfg"))?.[1] ?? "";
    expect(ks).toContain("# Managed by ksorch for cluster site7.");
  });
});

describe("labs", () => {
  const dir = mkdtempSync(join(tmpdir(), "ksorch-labids-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("get their own cluster id, so their own generated secrets", () => {
    const lab = (name: string) => {
      const plan = planLab(labInventoryOf(parseInventory(labText(), LAB_FILE)), { name });
      // Every lab's inventory has the same file name (inventory.yaml) in its own folder.
      return parseInventory(labInventoryText(labText(), plan), `/labs/${name}/inventory.yaml`);
    };
    const [a, b] = [lab("alpha"), lab("beta")];
    expect([a.name, b.name]).toEqual(["alpha", "beta"]);
    const env = { KSORCH_SECRETS_DIR: dir };
    const [sa, sb] = [loadSecrets(a, env), loadSecrets(b, env)];
    expect(sa.haKey).not.toBe(sb.haKey);
    expect(sa.rootpwHash).not.toBe(sb.rootpwHash);
  });
});
