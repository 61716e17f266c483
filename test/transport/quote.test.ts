import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { quote, raw, sh } from "../../src/transport/quote.js";

// The real shell is the judge: what it prints back must be exactly what went in.
const echoBack = (cmd: string): string =>
  execFileSync("/bin/sh", ["-c", cmd], { encoding: "utf8" });

describe("quote", () => {
  const hostile = [
    "plain",
    "",
    "a b",
    "it's",
    "'",
    "''",
    "$(touch /tmp/x)",
    "`id`",
    "a\nb",
    "\\",
    '"q"',
    "*",
    "; rm -rf /",
    "-n",
    "ä €",
  ];
  it.each(hostile)("round-trips %j through /bin/sh", (s) => {
    expect(echoBack(`printf %s ${quote(s)}`)).toBe(s);
  });

  it("leaves safe words bare", () => {
    expect(quote("/etc/dhcp/dhcpd.conf")).toBe("/etc/dhcp/dhcpd.conf");
    expect(quote(42)).toBe("42");
  });
});

describe("sh", () => {
  it("quotes interpolations, spreads arrays and keeps raw fragments", () => {
    const cmd = sh`printf '%s|' ${["a b", "c"]} ${raw("&& printf end")}`;
    expect(cmd).toBe(`printf '%s|' 'a b' c && printf end`);
    expect(echoBack(cmd)).toBe("a b|c|end");
  });
});
