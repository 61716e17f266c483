// cluster_vips: a cluster-level check, run once (run_once: true) after the HA engine started:
// reads `ip -o -4 addr` on every reachable host of the play and waits until each VIP has exactly
// one owner, the expected one when given. Two owners is the split brain a crashed heartbeat
// leaves behind; no owner means clients cannot boot.
import { z } from "zod";
import { parseAddresses } from "../facts/facts.js";
import { duration } from "../args.js";
import type { PeerHost } from "../types.js";
import { defineModule, noop, type Plan } from "../types.js";

const args = z.strictObject({
  vips: z
    .array(
      z.strictObject({
        address: z.ipv4(),
        /** Host that should hold it (inventory name); any single owner will do when absent. */
        owner: z.string().optional(),
      }),
    )
    .min(1),
  /** Heartbeat needs ~11 s from a cold start (a fixed delay inside it). */
  timeout: duration.default(60_000),
  interval: duration.default(250),
});

type Vip = z.infer<typeof args>["vips"][number];

/** Who holds each VIP right now: address -> host names. */
export async function vipOwners(
  peers: PeerHost[],
  vips: readonly string[],
): Promise<Map<string, string[]>> {
  const lists = await Promise.all(
    peers.map(async (p) => ({
      name: p.name,
      addrs: parseAddresses((await p.transport.run("ip -o -4 addr show")).stdout),
    })),
  );
  return new Map(
    vips.map((v) => [
      v,
      lists.filter((l) => l.addrs.some((a) => a.address === v)).map((l) => l.name),
    ]),
  );
}

/** What is wrong, in words, or null when every VIP has exactly its one owner. */
export function vipProblems(owners: Map<string, string[]>, vips: readonly Vip[]): string | null {
  const problems = vips.flatMap((v) => {
    const who = owners.get(v.address) ?? [];
    if (who.length === 0) return [`${v.address} has no owner`];
    if (who.length > 1) return [`${v.address} is on ${who.join(" and ")}`];
    if (v.owner && who[0] !== v.owner) return [`${v.address} is on ${who[0]}, not ${v.owner}`];
    return [];
  });
  return problems.length === 0 ? null : problems.join("; ");
}

export const clusterVipsModule = defineModule({
  name: "cluster_vips",
  description: "Wait until every VIP is held by exactly one host of the play (use with run_once)",
  args,
  async plan(a, host): Promise<Plan> {
    // With --limit (or a server down) only the VIPs of servers this run reaches are judged: an
    // owner we cannot see would look like a VIP without one.
    const peers = host.peers();
    const seen = new Set(peers.map((p) => p.name));
    const vips = a.vips.filter((v) => v.owner === undefined || seen.has(v.owner));
    const unseen = a.vips.filter((v) => !vips.includes(v)).map((v) => `${v.address}@${v.owner}`);
    const probe = async (): Promise<string | null> =>
      vipProblems(
        await vipOwners(
          peers,
          vips.map((v) => v.address),
        ),
        vips,
      );
    const now = await probe();
    const listed = vips.map((v) => `${v.address}${v.owner ? `@${v.owner}` : ""}`).join(", ");
    const skipped =
      unseen.length > 0 ? ` (not judged, owner not in this run: ${unseen.join(", ")})` : "";
    if (now === null) return noop(`each VIP has one owner: ${listed}${skipped}`);
    return {
      kind: "change",
      summary: `wait until each VIP has one owner (${now})`,
      steps: [
        {
          kind: "wait",
          title: `each VIP one owner: ${listed}`,
          timeoutMs: a.timeout,
          intervalMs: a.interval,
          probe,
        },
      ],
    };
  },
});
