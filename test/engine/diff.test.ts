import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/engine/diff.js";

describe("unifiedDiff", () => {
  it("shows public changes line by line and never a secret's content", () => {
    const text = unifiedDiff([
      {
        path: "/etc/ha.d/ha.cf",
        before: "keepalive 200ms\nnode a\n",
        after: "keepalive 300ms\nnode a\n",
        secret: false,
      },
      {
        path: "/etc/ha.d/authkeys",
        before: "1 sha1 OLDKEY\n",
        after: "1 sha1 NEWKEY\n",
        secret: true,
      },
      {
        path: "/srv/tftp/pxelinux.cfg/C0A80080",
        before: null,
        after: "DEFAULT ks\n",
        secret: false,
      },
    ]);
    expect(text).toContain("-keepalive 200ms\n+keepalive 300ms");
    expect(text).toContain("/etc/ha.d/authkeys\n(secret content changed; not shown)");
    expect(text).toContain("--- /dev/null\n+++ /srv/tftp/pxelinux.cfg/C0A80080");
    expect(text).not.toMatch(/OLDKEY|NEWKEY/);
  });
});
