// The paper's Table 1 with the network as the bottleneck: every server's LAN link shaped to
// 100 Mb/s (`ksorch lab install --rate 100`: tc tbf on both ends of the server's veth; this
// kernel has tbf and htb, not netem), waves of lab clients installing the same tree from 1, 2
// and 3 servers, beside the ideal time the links allow. 2 servers: the applied heartbeat lab;
// 1 server: the same lab with heartbeat stopped on server2, so server1 holds both VIPs and
// serves every client (the paper's failover state); 3 servers: a keepalived lab (modulo split).
import { setTimeout as sleep } from "node:timers/promises";
import { endpoints, ksorch, onServer } from "../lib/lab.mjs";
import { log } from "../lib/proc.mjs";
import { cell, median, ms, ratio, table, target } from "../lib/stats.mjs";

const RATE_MBIT = 100;
const LINK_BYTES_PER_S = (RATE_MBIT * 1e6) / 8;

// The paper's Table 1 (shared/paper.md): minutes for a 2.7 GB package set on 100 Mb/s NICs.
const PAPER = [
  [1, "31.0", "-", "35.0", "-"],
  [2, "32.0", "33.5", "34.5", "34.5"],
  [4, "30.0", "31.5", "35.75", "35.5"],
  [8, "31.625", "31.0", "36.625", "36.375"],
];

/** Polls `ksorch status` until `pred(status)` holds; throws after `timeoutMs`. */
async function until(inventory, what, pred, timeoutMs = 60_000) {
  const t0 = Date.now();
  for (;;) {
    const r = await ksorch(["status", inventory, "--json"], { allowFail: true });
    try {
      if (pred(JSON.parse(r.stdout))) return;
    } catch {
      // no JSON yet: keep polling
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${ms(timeoutMs)}`);
    await sleep(1000);
  }
}
const allHome = (s) => s.vips.every((v) => v.owners.length === 1 && v.owners[0] === v.home);

/** One wave of the first `w` clients: the slowest client's time, the bytes each got. */
async function wave(lab, w) {
  const names = Array.from({ length: w }, (_, i) => `client${i + 1}`).join(",");
  const r = await ksorch(
    ["lab", "install", "--name", lab, "--clients", names, "--rate", String(RATE_MBIT), "--json"],
    { allowFail: true },
  );
  const reports = JSON.parse(r.stdout);
  const failed = reports.filter((x) => x.verdict !== "pass");
  if (failed.length > 0)
    throw new Error(
      `wave of ${w} on ${lab}: ${failed.map((x) => `${x.client}: ${x.error}`).join("; ")}`,
    );
  return {
    ms: Math.max(...reports.map((x) => x.durationMs)),
    bytes: median(reports.map((x) => x.bytes)),
    load: r.load,
  };
}

export async function table1({ quick, lab2, inventory2, lab3 }) {
  const waves = quick ? [1, 2] : [1, 2, 4, 8, 16];
  const n = quick ? 1 : 3;
  const results = new Map(); // "servers|clients" -> wave results
  const runWaves = async (servers, lab) => {
    for (const w of waves)
      for (let i = 0; i < n; i++) {
        const key = `${servers}|${w}`;
        results.set(key, [...(results.get(key) ?? []), await wave(lab, w)]);
        log(`table 1: ${servers} server(s), ${w} client(s), run ${i + 1}/${n}`);
      }
  };
  await runWaves(2, lab2);
  const server2 = endpoints(inventory2)[1];
  await onServer(server2, "service heartbeat stop >/dev/null");
  try {
    await until(inventory2, "both VIPs on server1", (s) =>
      s.vips.every((v) => v.owners.length === 1 && v.owners[0] !== server2.name),
    );
    await runWaves(1, lab2);
  } finally {
    await onServer(server2, "service heartbeat start >/dev/null");
    await until(inventory2, "each VIP back home", allHome);
  }
  await runWaves(3, lab3);

  const rows = [];
  for (const servers of [1, 2, 3])
    for (const w of waves) {
      const rs = results.get(`${servers}|${w}`);
      const one = results.get(`1|${w}`);
      const times = rs.map((r) => r.ms);
      const ideal =
        ((Math.ceil(w / servers) * median(rs.map((r) => r.bytes))) / LINK_BYTES_PER_S) * 1000;
      rows.push([
        servers,
        w,
        rs.length,
        cell(times),
        ms(ideal),
        servers === 1
          ? "1x"
          : ratio(
              one.map((r) => r.ms),
              times,
            ),
        `${Math.round((100 * ideal) / median(times))} %`,
      ]);
    }
  // From 8 clients on (the largest wave of a quick run otherwise).
  const big = waves.some((w) => w >= 8) ? waves.filter((w) => w >= 8) : [waves.at(-1)];
  const t = (servers, w) => median(results.get(`${servers}|${w}`).map((r) => r.ms));
  const eff = (w) => {
    const bytes = median(results.get(`2|${w}`).map((r) => r.bytes));
    return (((Math.ceil(w / 2) * bytes) / LINK_BYTES_PER_S) * 1000) / t(2, w);
  };
  const targets = [
    target(
      `2 servers at least 1.8x faster than 1 (${big.join(", ")} clients)`,
      big.map((w) => ratio(t(1, w), t(2, w))).join(", "),
      big.every((w) => t(1, w) >= 1.8 * t(2, w)),
    ),
    target(
      "2 servers within 15 % of the link limit",
      big.map((w) => `${Math.round(100 * eff(w))} %`).join(", "),
      big.every((w) => eff(w) >= 0.85),
    ),
    target(
      "3 servers at least 2.6x faster than 1",
      big.map((w) => ratio(t(1, w), t(3, w))).join(", "),
      big.every((w) => t(1, w) >= 2.6 * t(3, w)),
    ),
  ];
  const tree = median([...results.values()].flat().map((r) => r.bytes));
  return {
    markdown: [
      table(
        [
          "servers",
          "clients",
          "n",
          "wave time",
          "ideal (links)",
          "speed-up vs 1 server",
          "efficiency (ideal / measured)",
        ],
        rows,
      ),
      "",
      "The paper's own Table 1 (minutes, 2.7 GB, 100 Mb/s NICs; the clients' disks were the bottleneck, so a second server changed nothing), measured elsewhere:",
      "",
      table(
        ["clients", "VMs, 1 server", "VMs, 2 servers", "real PCs, 1 server", "real PCs, 2 servers"],
        PAPER,
      ),
    ].join("\n"),
    notes: [
      ...targets,
      `Each client installs ${(tree / 1e6).toFixed(1)} MB (the lab's tree and boot files); the wave time is its slowest client's, from DHCP to the last verified checksum. The ideal time is ceil(clients / servers) x those bytes over one ${RATE_MBIT} Mb/s link.`,
    ],
    load: [...results.values()].flat().map((r) => r.load),
  };
}
