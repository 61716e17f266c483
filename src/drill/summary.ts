// The drill's readable summary: verdict, takeover figures next to the paper's, checks with
// their fixes, and the timeline.
import { formatTable } from "../cli/output.js";
import { formatOffset } from "./timeline.js";
import type { DrillResult } from "./types.js";

/** What the paper measured by hand: about 4 s from `service heartbeat stop`, read from the log. */
export const PAPER_TAKEOVER_S = 4;

const ms = (v: number | undefined): string =>
  v === undefined ? "not seen" : `${(v / 1000).toFixed(3)} s`;

/** The verdict in one line: what passed, or which checks failed. */
export function verdictLine(r: DrillResult): string {
  const { verdict, measurements: m, setup } = r;
  if (!verdict.pass) {
    const failed = verdict.checks.filter((c) => c.status === "fail").map((c) => c.name);
    return `FAIL: ${failed.join("; ")}`;
  }
  const moved = m.takeovers
    .filter((t) => t.onSurvivorMs !== undefined)
    .map((t) => `${t.vip} moved to ${t.survivor ?? "?"} in ${ms(t.onSurvivorMs)}`);
  const what = moved.length > 0 ? moved.join(", ") : "no VIP had to move";
  const clients = m.bytesByServer.some((b) => b.beforeFault + b.afterFault > 0)
    ? "; every client installed with verified checksums"
    : "";
  return `PASS: ${what} (limit ${ms(setup.maxTakeoverMs)})${clients}`;
}

export function formatSummary(r: DrillResult): string {
  const { setup, verdict, measurements: m } = r;
  const head = `drill failover: ${setup.mode} on ${setup.target} (${setup.engine}): ${verdictLine(r)}`;
  const takeovers = formatTable(
    ["VIP", "SURVIVOR", "VIP MOVED", "GRATUITOUS ARP", "FIRST ANSWER", "LIMIT", "PAPER"],
    m.takeovers.map((t) => [
      t.vip,
      t.survivor ?? "none",
      ms(t.onSurvivorMs),
      ms(t.firstGarpMs),
      ms(t.firstAnswerMs),
      ms(setup.maxTakeoverMs),
      `~${PAPER_TAKEOVER_S} s`,
    ]),
  );
  const extra = [
    m.haLogTakeoverS !== undefined
      ? `HA log says: takeover within ${m.haLogTakeoverS} s${logUnit(m.haLogTakeoverS)}`
      : "",
    m.failbackMs !== undefined ? `failback: ${ms(m.failbackMs)} after the undo` : "",
    m.bytesByServer.some((b) => b.beforeFault + b.afterFault > 0)
      ? `bytes served: ${m.bytesByServer.map((b) => `${b.server} ${mb(b.beforeFault)} before / ${mb(b.afterFault)} after the fault`).join(", ")}`
      : "",
    m.longestClientWait
      ? `longest client wait for data: ${ms(m.longestClientWait.durationMs)} (${m.longestClientWait.client}, from ${ms(m.longestClientWait.fromMs)} after the fault)`
      : "",
    m.sampling
      ? `ownership sampled: ${m.sampling.map((s) => `${s.server} ${s.samples}x, every ${s.medianGapMs} ms (longest gap ${ms(s.maxGapMs)})`).join(", ")}`
      : "",
    setup.mode === "freeze" && !setup.fencing
      ? "freeze without ha.fence: two owners are tolerated from the fault to 1 s after the resume; ha.fence removes them"
      : "",
  ].filter((l) => l !== "");
  const checks = verdict.checks.flatMap((c) => [
    `  ${c.status.padEnd(7)} ${c.name}: ${c.detail}`,
    ...(c.hint ? [`          fix: ${c.hint}`] : []),
  ]);
  const timeline = r.timeline.map(
    (e) => `  ${formatOffset(e).padStart(10)}  ${(e.server ?? "").padEnd(8)}  ${e.text}`,
  );
  return [
    head,
    "",
    takeovers,
    ...extra,
    "",
    "checks:",
    ...checks,
    "",
    "timeline (relative to the fault):",
    ...timeline,
  ].join("\n");
}

/** heartbeat logs whole seconds, as the paper read them; keepalived's notify log milliseconds. */
function logUnit(seconds: number): string {
  return Number.isInteger(seconds) ? " (whole seconds, as the paper read it)" : "";
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
