// Rendering inputs for tests: the lab inventory, its topology and fixed, recognisable secrets.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import type { Inventory } from "../../src/inventory/types.js";
import { renderCluster } from "../../src/render/render.js";
import type { Secrets } from "../../src/render/secrets.js";
import type { RenderedFile } from "../../src/render/types.js";
import { planTopology } from "../../src/topology/plan.js";
import { LAB_FILE } from "../inventory/fixture.js";

export const TEST_SECRETS: Secrets = {
  haKey: "test-ha-key-5f0c2b9a1d",
  rootpwHash:
    "$6$testsalt$2Jx0xJQ8Nf0rW1b3cDkqv3r8T4S3q6m8e0oJd0y1Yw5W2f9mV7aC3dE4gH6iJ8kL0nP2qR4sT6uV8wX0yZ2",
};

export const labInventory = (): Inventory => loadInventory(LAB_FILE);

export function renderAll(inv: Inventory = labInventory()): Map<string, RenderedFile[]> {
  return renderCluster(inv, planTopology(inv), TEST_SECRETS);
}

export function fileAt(files: RenderedFile[], path: string): RenderedFile {
  const f = files.find((x) => x.path === path);
  expect(f, `rendered ${path}`).toBeDefined();
  return f as RenderedFile;
}

export const DHCPD = "/usr/sbin/dhcpd";

/** Runs the real ISC `dhcpd -t -cf` on `content`; returns its exit code and output. */
export function dhcpdCheck(content: string): { code: number; output: string } {
  // Deliberately no skip: CI installs isc-dhcp-server, and a missing dhcpd must fail loudly.
  expect(existsSync(DHCPD), `${DHCPD} (Debian package isc-dhcp-server) is required`).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), "ksorch-dhcpd-"));
  const file = join(dir, "dhcpd.conf");
  writeFileSync(file, content);
  try {
    const output = execFileSync(DHCPD, ["-t", "-cf", file], { encoding: "utf8", stdio: "pipe" });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status?: number; stderr?: string };
    return { code: e.status ?? -1, output: e.stderr ?? "" };
  }
}
