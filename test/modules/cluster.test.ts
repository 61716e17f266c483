import { describe, expect, it } from "vitest";
import { clusterVipsModule, vipProblems } from "../../src/modules/cluster_vips/index.js";
import { waitForModule } from "../../src/modules/wait_for/index.js";
import { FakeTransport } from "../../src/transport/fake.js";
import { fakeHost } from "./helpers.js";

const VIPS = [
  { address: "192.168.0.253", owner: "server1" },
  { address: "192.168.0.254", owner: "server2" },
];

describe("cluster_vips", () => {
  it.each([
    [{ "192.168.0.253": ["server1"], "192.168.0.254": ["server2"] }, null],
    [
      { "192.168.0.253": ["server1", "server2"], "192.168.0.254": ["server2"] },
      "192.168.0.253 is on server1 and server2",
    ],
    [{ "192.168.0.253": [], "192.168.0.254": ["server2"] }, "192.168.0.253 has no owner"],
    [
      { "192.168.0.253": ["server2"], "192.168.0.254": ["server2"] },
      "192.168.0.253 is on server2, not server1",
    ],
  ])("%j -> %s", (owners, want) => {
    expect(vipProblems(new Map(Object.entries(owners)), VIPS)).toBe(want);
  });

  const addr = (ip: string) => `2: eth0    inet ${ip}/24 scope global eth0\\ x\n`;

  it("reads every host of the play and is a noop when each VIP has its one owner", async () => {
    const peer = new FakeTransport("server2", [
      { match: "ip -o -4 addr", answer: { stdout: addr("192.168.0.254") } },
    ]);
    const { host } = fakeHost(
      [{ match: "ip -o -4 addr", answer: { stdout: addr("192.168.0.253") } }],
      { peers: [peer] },
    );
    const plan = await clusterVipsModule.plan(clusterVipsModule.args.parse({ vips: VIPS }), host);
    expect(plan.kind).toBe("noop");
    expect(peer.commands()).toEqual(["ip -o -4 addr show"]);
  });

  it("waits (a read-only step) while a VIP is on two hosts", async () => {
    const peer = new FakeTransport("server2", [
      { match: "ip", answer: { stdout: addr("192.168.0.254") + addr("192.168.0.253") } },
    ]);
    const { host } = fakeHost([{ match: "ip", answer: { stdout: addr("192.168.0.253") } }], {
      peers: [peer],
    });
    const plan = await clusterVipsModule.plan(
      clusterVipsModule.args.parse({ vips: VIPS, timeout: "1s" }),
      host,
    );
    if (plan.kind !== "change") throw new Error("expected a wait");
    expect(plan.steps.map((s) => s.kind)).toEqual(["wait"]);
    const step = plan.steps[0];
    if (step?.kind !== "wait") throw new Error("expected a wait");
    expect(step.timeoutMs).toBe(1000);
    expect(await step.probe()).toBe("192.168.0.253 is on server1 and server2");
  });
});

describe("wait_for", () => {
  it.each([
    [{ port: 21 }, /^ss -Hltn 'sport = :21' \| grep -q \.$/],
    [{ port: 69, protocol: "udp" }, /^ss -Hlun 'sport = :69'/],
    [{ path: "/run/heartbeat" }, /^test -e \/run\/heartbeat$/],
    [
      { address: "192.168.0.253", interface: "eth0" },
      /^ip -o -4 addr show dev eth0 \| grep -qF ' 192\.168\.0\.253\/'$/,
    ],
  ])("%j probes with %s", async (args, re) => {
    const { host, t } = fakeHost([{ match: () => true, answer: { exitCode: 0 } }]);
    const plan = await waitForModule.plan(waitForModule.args.parse(args), host);
    expect(plan.kind).toBe("noop");
    expect(t.commands()[0]).toMatch(re);
  });

  it("state absent waits until the probe fails", async () => {
    const { host } = fakeHost([{ match: () => true, answer: { exitCode: 1 } }]);
    expect(
      (await waitForModule.plan(waitForModule.args.parse({ path: "/x", state: "absent" }), host))
        .kind,
    ).toBe("noop");
  });

  it("needs exactly one thing to wait for", () => {
    expect(waitForModule.args.safeParse({ port: 21, path: "/x" }).success).toBe(false);
    expect(waitForModule.args.safeParse({ timeout: "soon", port: 21 }).success).toBe(false);
  });
});

describe("cluster_vips with --limit", () => {
  it("judges only the VIPs whose owner this run reaches", async () => {
    const { host } = fakeHost([
      { match: "ip", answer: { stdout: "2: eth0    inet 192.168.0.253/24 scope global eth0\n" } },
    ]);
    const plan = await clusterVipsModule.plan(clusterVipsModule.args.parse({ vips: VIPS }), host);
    expect(plan).toEqual({
      kind: "noop",
      reason:
        "each VIP has one owner: 192.168.0.253@server1 (not judged, owner not in this run: 192.168.0.254@server2)",
    });
  });
});
