import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { LAB_TREE, checkInstallSource } from "../../src/inventory/source.js";
import { labWith, lineOf } from "./fixture.js";

describe("checkInstallSource", () => {
  const dir = mkdtempSync(join(tmpdir(), "ksorch-source-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function inventoryWithSource(source: string) {
    const text = labWith([`source: ${LAB_TREE}`, `source: ${source}`]);
    const file = join(dir, "inv.yaml");
    writeFileSync(file, text);
    return { inv: parseInventory(text, file), text };
  }

  it("accepts an existing directory", () => {
    expect(checkInstallSource(inventoryWithSource(dir).inv)).toEqual([]);
  });

  it("tells how to create the lab's tree when the lab path is missing", () => {
    const { inv } = inventoryWithSource(LAB_TREE);
    const missing = checkInstallSource({ ...inv, install: { ...inv.install, source: LAB_TREE } });
    // The lab tree may exist on this machine; the hint matters only when it does not.
    for (const d of missing) expect(d.hint).toBe('run "ksorch lab up" to create it');
  });

  it("says what it expects for another missing path, at the field's line", () => {
    const { inv, text } = inventoryWithSource(join(dir, "no-such-tree"));
    const [d] = checkInstallSource(inv);
    expect(d?.field).toBe("install.source");
    expect(d?.line).toBe(lineOf(text, "source:"));
    expect(d?.hint).toContain("images/pxeboot");
    expect(d?.hint).not.toContain("lab up");
  });

  it("rejects a file where a directory is expected", () => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "x");
    expect(checkInstallSource(inventoryWithSource(file).inv)).toHaveLength(1);
  });
});
