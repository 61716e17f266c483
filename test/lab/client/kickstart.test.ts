import { describe, expect, it } from "vitest";
import { installUrl, joinUrl, parseManifest } from "../../../src/lab/client/kickstart.js";

describe("kickstart", () => {
  it("reads url --url in its spellings and ignores other lines", () => {
    expect(installUrl("text\nurl --url=ftp://192.168.0.253/pub/rh9\nreboot")).toBe(
      "ftp://192.168.0.253/pub/rh9",
    );
    expect(installUrl('url --proxy=p --url "http://a/b"')).toBe("http://a/b");
    expect(installUrl("url --url http://a/c --noverifyssl")).toBe("http://a/c");
    expect(installUrl("# url --url=ftp://no\nnfs --server=x")).toBeUndefined();
  });

  it("joins URLs with one slash and parses sha256sum lines", () => {
    expect(joinUrl("ftp://a/pub/rh9/", "/Packages/x.rpm")).toBe("ftp://a/pub/rh9/Packages/x.rpm");
    const sum = "a".repeat(64);
    const m = parseManifest(`${sum}  Packages/x.rpm\n${"b".repeat(64)} *images/v\nnot a line\n`);
    expect([...m]).toEqual([
      ["Packages/x.rpm", sum],
      ["images/v", "b".repeat(64)],
    ]);
  });
});
