import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cpioNewc, dir, file, symlink } from "../../../src/lab/tree/cpio.js";
import { packageContent, packageCount, planPackages } from "../../../src/lab/tree/packages.js";
import { parseSize } from "../../../src/lab/tree/build.js";

/** Names and contents of a newc archive, read back field by field. */
function readNewc(buf: Buffer): { name: string; mode: number; data: string }[] {
  const out = [];
  let off = 0;
  const align = (n: number): number => (n + 3) & ~3;
  for (;;) {
    const head = buf.subarray(off, off + 110).toString();
    expect(head.slice(0, 6)).toBe("070701");
    const field = (i: number): number => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const size = field(6);
    const nameLen = field(11);
    const name = buf.subarray(off + 110, off + 110 + nameLen - 1).toString();
    const dataAt = align(off + 110 + nameLen);
    if (name === "TRAILER!!!") return out;
    out.push({ name, mode: field(1), data: buf.subarray(dataAt, dataAt + size).toString() });
    off = align(dataAt + size);
  }
}

describe("install tree", () => {
  it("writes an initramfs the kernel can unpack (newc)", () => {
    const archive = gunzipSync(
      cpioNewc([
        dir("bin"),
        file("init", Buffer.from("#!/bin/sh\n"), 0o755),
        symlink("bin/sh", "busybox"),
      ]),
    );
    expect(readNewc(archive)).toEqual([
      { name: "bin", mode: 0o040755, data: "" },
      { name: "init", mode: 0o100755, data: "#!/bin/sh\n" },
      { name: "bin/sh", mode: 0o120777, data: "busybox" },
    ]);
  });

  it("plans a few big packages that add up to the size, reproducibly", () => {
    const a = planPackages(32 << 20, 7);
    expect(a.reduce((n, p) => n + p.size, 0)).toBe(32 << 20);
    expect(a).toHaveLength(packageCount(32 << 20));
    expect(a).toHaveLength(16);
    expect(planPackages(1 << 20, 7)).toHaveLength(4);
    expect(packageCount(1 << 30)).toBe(50);
    for (const p of a) expect(p.size).toBeGreaterThan((32 << 20) / 16 / 3);
    expect(new Set(a.map((p) => p.name)).size).toBe(a.length);
    expect(planPackages(32 << 20, 7)).toEqual(a);
    const first = a[0]!;
    expect(packageContent(first, 7).equals(packageContent(first, 7))).toBe(true);
    expect(packageContent(first, 8).equals(packageContent(first, 7))).toBe(false);
    expect(packageContent(first, 7)).toHaveLength(first.size);
  });

  it("parses sizes", () => {
    expect(parseSize("32M")).toBe(32 << 20);
    expect(parseSize("1g")).toBe(1 << 30);
    expect(() => parseSize("12 parsecs")).toThrow(/invalid size/);
    expect(() => parseSize("10K")).toThrow(/too small/);
  });
});
