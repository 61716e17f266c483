import { describe, expect, it } from "vitest";
import { parseSsPeers } from "../../src/drill/phases.js";

describe("parseSsPeers", () => {
  it("reads peer addresses of `ss -Htn state established` (four columns)", () => {
    expect(
      parseSsPeers(
        [
          "0      0      192.168.0.253:21 192.168.0.129:60632",
          "0      0      [::ffff:192.168.0.253]:21 [::ffff:192.168.0.131]:40100",
          "",
        ].join("\n"),
      ),
    ).toEqual(["192.168.0.129", "192.168.0.131"]);
  });
});
