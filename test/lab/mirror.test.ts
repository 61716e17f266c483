import { describe, expect, it } from "vitest";
import { mirrorFromDeb822, mirrorFromOneLine } from "../../src/lab/mirror.js";

describe("mirror from apt sources", () => {
  it("takes the deb822 stanza that serves the suite itself", () => {
    const text = [
      "Types: deb",
      "URIs: http://mirror.invalid/debian-security",
      "Suites: bookworm-security",
      "",
      "Types: deb-src deb",
      "URIs: http://mirror.invalid/debian http://other.invalid/debian",
      "Suites: bookworm bookworm-updates",
      "Components: main",
    ].join("\n");
    expect(mirrorFromDeb822(text, "bookworm")).toBe("http://mirror.invalid/debian");
    expect(mirrorFromDeb822(text, "trixie")).toBeUndefined();
  });

  it("reads one-line entries, skipping comments and options", () => {
    const text = [
      "# deb http://commented.invalid/debian bookworm main",
      "deb-src http://src.invalid/debian bookworm main",
      "deb [arch=amd64 signed-by=/k.gpg] http://mirror.invalid/debian bookworm main",
    ].join("\n");
    expect(mirrorFromOneLine(text, "bookworm")).toBe("http://mirror.invalid/debian");
  });
});
