import { describe, expect, it } from "vitest";
import { FACTS_COMMAND, gatherFacts, parseAddresses } from "../../src/modules/facts/facts.js";
import { FakeTransport } from "../../src/transport/fake.js";

const SEP = "@@ksorch-facts@@\n";
const debianOut = [
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  "apt-get\nservice\nupdate-rc.d\n",
  "sleep\n",
  "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n2: eth0@if5    inet 192.168.0.1/24 brd 192.168.0.255 scope global eth0\\ x\n2: eth0@if5    inet 192.168.0.253/24 scope global secondary eth0:0\\ x\n3: eth1    inet6 fe80::1/64 scope link\n",
  "server1\n",
  "0\n",
].join(SEP);
const rockyOut = [
  'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n',
  "dnf\nyum\nsystemctl\n",
  "systemd\n",
  "",
  "node-a\n",
  "1000\n",
].join(SEP);

describe("facts", () => {
  it.each([
    [
      "debian without systemd",
      debianOut,
      { family: "debian", pm: "apt", init: "sysv", host: "server1", uid: 0 },
    ],
    [
      "rocky with systemd",
      rockyOut,
      { family: "rhel", pm: "dnf", init: "systemd", host: "node-a", uid: 1000 },
    ],
  ])("%s", async (_n, stdout, want) => {
    const t = new FakeTransport("h", [{ match: (c) => c === FACTS_COMMAND, answer: { stdout } }]);
    const f = await gatherFacts(t);
    expect([f.os.family, f.packageManager, f.initSystem, f.hostname, f.uid]).toEqual([
      want.family,
      want.pm,
      want.init,
      want.host,
      want.uid,
    ]);
    expect(t.commands()).toHaveLength(1);
  });

  it("parses addresses, aliases on the parent device", () => {
    const a = parseAddresses(debianOut.split(SEP)[3] ?? "");
    expect(a.map((x) => `${x.interface} ${x.address}/${x.prefixLength}`)).toEqual([
      "lo 127.0.0.1/8",
      "eth0 192.168.0.1/24",
      "eth0 192.168.0.253/24",
      "eth1 fe80::1/64",
    ]);
  });
});
