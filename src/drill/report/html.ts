// The drill report: one self-contained HTML file (inline CSS and SVG, no scripts to run) with
// the verdict, the measurements, the throughput chart and the timeline. The result document is
// embedded as JSON so the numbers behind the picture travel with it.
import { formatOffset } from "../timeline.js";
import type { DrillResult, Observation } from "../types.js";
import { binThroughput, throughputSvg, type Marker } from "./chart.js";
import { escapeXml, jsonForScript } from "./escape.js";
import { PAPER_TAKEOVER_S, mb, verdictLine } from "../summary.js";

const STYLE = `body{font-family:sans-serif;max-width:860px;margin:2em auto;color:#222}
.verdict{font-size:120%;padding:.5em .8em;border-radius:4px}.verdict.pass{background:#e6f4ea}.verdict.fail{background:#fdecea}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.pass{color:#17702b;font-weight:bold}.fail{color:#b00020;font-weight:bold}.skipped{color:#777}
.hint{font-size:90%;color:#444}`;

export function renderHtmlReport(obs: Observation, result: DrillResult): string {
  const { setup, verdict, measurements: m } = result;
  const title = `ksorch drill failover: ${setup.mode} on ${setup.target}`;
  const status = verdict.pass ? "pass" : "fail";
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>`,
    `<p class="verdict ${status}" id="verdict">${escapeXml(verdictLine(result))}</p>`,
    `<h1>${escapeXml(title)}</h1>`,
    `<p>Fault at ${escapeXml(result.faultAt)} · HA engine ${escapeXml(setup.engine)}</p>`,
    "<h2>Checks</h2>",
    table(
      ["check", "result", "detail"],
      verdict.checks.map((c) => [
        escapeXml(c.name),
        `<span class="${c.status}">${c.status}</span>`,
        escapeXml(c.detail) + (c.hint ? `<div class="hint">${escapeXml(c.hint)}</div>` : ""),
      ]),
    ),
    "<h2>Takeover</h2>",
    table(
      ["VIP", "survivor", "VIP on survivor", "first gratuitous ARP", "first answer to a client"],
      m.takeovers.map((t) =>
        [
          t.vip,
          t.survivor ?? "none",
          ms(t.onSurvivorMs),
          ms(t.firstGarpMs),
          ms(t.firstAnswerMs),
        ].map(escapeXml),
      ),
    ),
    `<p>${escapeXml(comparison(result))}</p>`,
    "<h2>Throughput per server</h2>",
    chart(obs, result),
    table(
      ["server", "served before the fault", "served after the fault"],
      m.bytesByServer.map((b) => [b.server, mb(b.beforeFault), mb(b.afterFault)].map(escapeXml)),
    ),
    m.longestClientWait
      ? `<p>Longest a client waited for data after the fault: ${escapeXml(ms(m.longestClientWait.durationMs))} (${escapeXml(m.longestClientWait.client)}).</p>`
      : "",
    "<h2>Timeline</h2>",
    table(
      ["time", "server", "event"],
      result.timeline.map((e) => [formatOffset(e), e.server ?? "", e.text].map(escapeXml)),
    ),
    `<script type="application/json" id="drill-result">${jsonForScript(result)}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

function comparison(r: DrillResult): string {
  const log = r.measurements.haLogTakeoverS;
  const logged =
    log === undefined ? "" : ` This drill's HA log says ${log} s at the same resolution.`;
  return (
    `Limit: ${r.setup.maxTakeoverMs} ms (ha.max_takeover). The paper measured about ` +
    `${PAPER_TAKEOVER_S} s after \`service heartbeat stop\`, read from heartbeat's log in whole ` +
    `seconds.${logged}`
  );
}

function chart(obs: Observation, result: DrillResult): string {
  if (obs.transfers.length === 0) return "<p>No install clients ran during this drill.</p>";
  const servers = Object.keys(obs.setup.lan);
  const start = Math.min(...obs.transfers.map((t) => t.atMs));
  // Up to the undo even when the clients finished before it, so the undo is marked too.
  const end = Math.max(...obs.transfers.map((t) => t.atMs), obs.undoAtMs ?? 0) + 1;
  const markers: Marker[] = [{ atMs: obs.faultAtMs, label: "fault" }];
  const first = result.measurements.takeovers.find((t) => t.onSurvivorMs !== undefined);
  if (first?.onSurvivorMs !== undefined)
    markers.push({ atMs: obs.faultAtMs + first.onSurvivorMs, label: "takeover" });
  if (obs.undoAtMs !== undefined) markers.push({ atMs: obs.undoAtMs, label: "undo" });
  return throughputSvg(binThroughput(obs.transfers, servers, start, end), markers, obs.faultAtMs);
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function ms(value: number | undefined): string {
  return value === undefined ? "not seen" : `${value.toFixed(0)} ms`;
}
