import { createHmac } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendKnownHost,
  hostPattern,
  parseKnownHosts,
  verifyHostKey,
} from "../../src/transport/known-hosts.js";

const K1 = "AAAAC3NzaC1lZDI1NTE5AAAAIKey1";
const K2 = "AAAAC3NzaC1lZDI1NTE5AAAAIKey2";

function hashed(name: string): string {
  const salt = Buffer.from("0123456789abcdef0123");
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts", () => {
  it("writes [host]:port for ports other than 22", () => {
    expect(hostPattern("127.0.0.1", 2201)).toBe("[127.0.0.1]:2201");
    expect(hostPattern("srv", 22)).toBe("srv");
  });

  const file = [
    "# comment",
    `[127.0.0.1]:2201 ssh-ed25519 ${K1}`,
    `srv,10.0.0.3 ssh-ed25519 ${K1} comment`,
    `${hashed("[127.0.0.1]:2202")} ssh-ed25519 ${K2}`,
    `@revoked bad ssh-ed25519 ${K2}`,
    `@cert-authority * ssh-ed25519 ${K2}`,
  ].join("\n");
  const entries = parseKnownHosts(file);

  it.each([
    ["[127.0.0.1]:2201", "ssh-ed25519", K1, "match"],
    ["[127.0.0.1]:2201", "ssh-ed25519", K2, "changed"],
    ["[127.0.0.1]:2201", "ecdsa-sha2-nistp256", K1, "changed"],
    ["10.0.0.3", "ssh-ed25519", K1, "match"],
    ["[127.0.0.1]:2202", "ssh-ed25519", K2, "match"],
    ["[127.0.0.1]:2202", "ssh-ed25519", K1, "changed"],
    ["[127.0.0.1]:2203", "ssh-ed25519", K1, "unknown"],
    ["bad", "ssh-ed25519", K2, "revoked"],
  ] as const)("%s presenting %s %s is %s", (name, type, key, verdict) => {
    expect(verifyHostKey(entries, name, type, key)).toBe(verdict);
  });

  it("appends on a new line even when the file lacks a final newline", async () => {
    const f = join(await mkdtemp(join(tmpdir(), "kh-")), "known_hosts");
    await writeFile(f, `srv ssh-ed25519 ${K1}`);
    await appendKnownHost(f, "[127.0.0.1]:2203", "ssh-ed25519", K2);
    const again = parseKnownHosts(await readFile(f, "utf8"));
    expect(verifyHostKey(again, "[127.0.0.1]:2203", "ssh-ed25519", K2)).toBe("match");
    expect(verifyHostKey(again, "srv", "ssh-ed25519", K1)).toBe("match");
  });
});
