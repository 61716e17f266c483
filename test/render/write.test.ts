import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeRendered } from "../../src/render/write.js";
import { renderAll } from "./fixture.js";

const out = mkdtempSync(join(tmpdir(), "ksorch-write-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("writeRendered", () => {
  const files = renderAll().get("server1") ?? [];
  const written = writeRendered(out, "server1", files);

  it("writes DIR/<server>/<path> with the rendered content", () => {
    expect(written).toHaveLength(files.length);
    for (const f of files)
      expect(readFileSync(join(out, "server1", f.path), "utf8")).toBe(f.content);
  });

  it("makes secret files mode 600, keeps the others' modes, and leaves no temporary file", () => {
    for (const [i, w] of written.entries()) {
      const mode = statSync(w.local).mode & 0o777;
      expect(mode, w.path).toBe(w.secret ? 0o600 : files[i]?.mode);
      expect(w.mode, w.path).toBe(mode);
    }
    const modeOf = (path: string) => {
      const w = written.find((x) => x.path === path);
      expect(w, path).toBeDefined();
      return statSync(w?.local ?? "").mode & 0o777;
    };
    // Executables stay executable; the fence script (mode 700 on the server) is a secret here.
    expect(modeOf("/usr/local/sbin/ksorch-ha-guard")).toBe(0o755);
    expect(modeOf("/etc/init.d/ksorch-ha-guard")).toBe(0o755);
    expect(modeOf("/etc/ha.d/resource.d/ksorch-fence")).toBe(0o600);
    expect(modeOf("/etc/ha.d/ha.cf")).toBe(0o644);
    expect(allFiles(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(allFiles(out)).toHaveLength(files.length);
  });

  it("overwrites on a second run", () => {
    expect(() => writeRendered(out, "server1", files)).not.toThrow();
    expect(allFiles(out)).toHaveLength(files.length);
  });
});
