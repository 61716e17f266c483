// Playbook values: EJS strings, whole tags that keep their type, and expressions. Compiled
// forms are reused across hosts, so the same text must still render each host's own values.
import { describe, expect, it } from "vitest";
import { evaluate, renderValue } from "../../src/engine/template.js";

describe("playbook values", () => {
  it("renders the same text with each scope's own values", () => {
    const args = {
      addr: "<%= server.vip %>/24",
      names: ["tftpd", "<%= extra %>"],
      port: "<%= server.port %>",
      plain: "no tags",
    };
    const one = { server: { vip: "10.0.0.1", port: 21 }, extra: ["a", "b"] };
    const two = { server: { vip: "10.0.0.2", port: 2121 }, extra: ["c"] };
    expect(renderValue(args, one)).toEqual({
      addr: "10.0.0.1/24",
      names: ["tftpd", "a", "b"],
      port: 21,
      plain: "no tags",
    });
    expect(renderValue(args, two)).toEqual({
      addr: "10.0.0.2/24",
      names: ["tftpd", "c"],
      port: 2121,
      plain: "no tags",
    });
  });

  it("evaluates an expression over whichever names the scope has", () => {
    expect(evaluate("a + 1", { a: 1 })).toBe(2);
    expect(evaluate("a + 1", { a: 5 })).toBe(6);
    // The same expression where `result` joined the scope (until).
    expect(evaluate("a + (typeof result)", { a: 1, result: {} })).toBe("1object");
    expect(evaluate("a + (typeof result)", { a: 1 })).toBe("1undefined");
  });
});
