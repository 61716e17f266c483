import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CACHED_PACKAGES, isCurrent, olderImage } from "../../src/lab/image.js";
import { IMAGE_VERSION } from "../../src/lab/paths.js";

/** A cache folder with images of the given versions (undefined: no marker, i.e. unfinished). */
async function cacheWith(images: Record<string, number | undefined>): Promise<string> {
  const cache = await mkdtemp(join(tmpdir(), "ksorch-image-"));
  for (const [name, version] of Object.entries(images)) {
    await mkdir(join(cache, name));
    if (version !== undefined)
      await writeFile(join(cache, name, ".ksorch-image.json"), JSON.stringify({ version }));
  }
  return cache;
}

describe("the image a new version starts from", () => {
  const current = `image-v${IMAGE_VERSION}`;

  it("is the finished older image beside it, not a newer, temporary or moved-aside one", async () => {
    const cache = await cacheWith({
      image: 1,
      "image-v1.tmp-123": 1,
      [`image-v${IMAGE_VERSION + 1}`]: IMAGE_VERSION + 1,
      [`${current}.replaced-1`]: 1,
      images: 1,
    });
    expect(await olderImage(join(cache, current))).toBe(join(cache, "image"));
  });

  it("is none when only unfinished images exist (then debootstrap)", async () => {
    const cache = await cacheWith({ image: undefined, [`${current}.tmp-9`]: IMAGE_VERSION });
    expect(await olderImage(join(cache, current))).toBeUndefined();
  });

  it("is the current image itself when it lacks packages, which makes it out of date", async () => {
    const cache = await cacheWith({ image: 1, [current]: IMAGE_VERSION });
    const dir = join(cache, current);
    expect(await isCurrent(dir)).toBe(false);
    expect(await olderImage(dir)).toBe(dir);
    const marker = { version: IMAGE_VERSION, cached: [...CACHED_PACKAGES, "extra"] };
    await writeFile(join(dir, ".ksorch-image.json"), JSON.stringify(marker));
    expect(await isCurrent(dir)).toBe(true);
    const lacking = { ...marker, cached: CACHED_PACKAGES.filter((p) => p !== "shim-signed") };
    await writeFile(join(dir, ".ksorch-image.json"), JSON.stringify(lacking));
    expect(await isCurrent(dir)).toBe(false);
  });

  it("may be an out-of-date image under the current name, which is then copied, not lost", async () => {
    const cache = await cacheWith({ [current]: 1 });
    expect(await olderImage(join(cache, current))).toBe(join(cache, current));
  });
});
