// A HostContext around a FakeTransport, with facts of a Debian host without systemd unless a
// test says otherwise.
import type { Facts } from "../../src/modules/facts/facts.js";
import type { HostContext } from "../../src/modules/types.js";
import type { RenderedFile } from "../../src/render/types.js";
import { FakeTransport, type FakeRule } from "../../src/transport/fake.js";

export const debianFacts: Facts = {
  hostname: "server1",
  os: { family: "debian", id: "debian", versionId: "12", prettyName: "Debian 12" },
  packageManager: "apt",
  initSystem: "sysv",
  tools: { service: true, updateRcD: true, chkconfig: false, systemctl: false },
  addresses: [],
  uid: 0,
};

export const rhelFacts: Facts = {
  ...debianFacts,
  os: { family: "rhel", id: "rocky", versionId: "9.4", prettyName: "Rocky 9" },
  packageManager: "dnf",
  initSystem: "systemd",
  tools: { service: false, updateRcD: false, chkconfig: false, systemctl: true },
};

export function fakeHost(
  rules: FakeRule[],
  opts: {
    facts?: Facts;
    files?: RenderedFile[];
    localRoot?: string;
    vars?: Record<string, unknown>;
    peers?: FakeTransport[];
  } = {},
): { host: HostContext; t: FakeTransport } {
  const t = new FakeTransport("server1", rules);
  const host: HostContext = {
    name: "server1",
    transport: t,
    facts: opts.facts ?? debianFacts,
    files: (tag) => (opts.files ?? []).filter((f) => f.tag === tag),
    peers: () => [t, ...(opts.peers ?? [])].map((p) => ({ name: p.host, transport: p })),
    localRoot: opts.localRoot ?? "/nonexistent",
    vars: opts.vars ?? {},
  };
  return { host, t };
}
