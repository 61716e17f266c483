// The drill's story in time order, relative to the fault: what a person reads in the terminal
// and in the report. Built from the observation and its measurements (pure).
import type { Measurements, Observation, TimelineEvent } from "./types.js";

export function buildTimeline(obs: Observation, m: Measurements): TimelineEvent[] {
  const rel = (atMs: number): number => Math.round(atMs - obs.faultAtMs);
  const vips = new Set(obs.setup.vips.map((v) => v.vip));
  const lanIf = (server: string): string | undefined => obs.setup.lan[server]?.interface;
  const { mode, linkFault, freezeMs } = obs.setup;
  const shape = linkFault
    ? ` (${linkFault})`
    : freezeMs !== undefined
      ? ` (${freezeMs / 1000} s)`
      : "";
  const events: TimelineEvent[] = [
    { atMs: 0, server: obs.setup.target, text: `fault injected: ${mode}${shape}` },
  ];
  if (obs.undoAtMs !== undefined) {
    // A frozen target that went down meanwhile (fenced) was booted, not resumed.
    const fenced = obs.hostDown.some(
      (h) =>
        h.server === obs.setup.target && h.atMs >= obs.faultAtMs && h.atMs <= (obs.undoAtMs ?? 0),
    );
    const text =
      mode !== "freeze"
        ? "fault undone"
        : fenced
          ? "fault undone: booted (it had been fenced)"
          : "fault undone: resumed";
    events.push({ atMs: rel(obs.undoAtMs), server: obs.setup.target, text });
  }
  for (const { server, line } of obs.monitor) {
    if (line.kind === "addr" && line.entry.family === "inet" && vips.has(line.entry.address)) {
      const verb = line.deleted ? "drops" : "adds";
      events.push({
        atMs: rel(line.atMs),
        server,
        text: `${verb} ${line.entry.address} (${line.entry.label})`,
      });
    }
    if (line.kind === "link" && line.entry.ifname === lanIf(server)) {
      const state = !line.deleted && line.entry.carrier ? "carrier up" : "carrier lost";
      events.push({ atMs: rel(line.atMs), server, text: `${line.entry.ifname} ${state}` });
    }
  }
  for (const { server, atMs } of obs.hostDown) {
    events.push({ atMs: rel(atMs), server, text: "host down (unreachable)" });
  }
  for (const t of m.takeovers) {
    if (t.firstGarpMs !== undefined) {
      events.push({
        atMs: t.firstGarpMs,
        server: t.survivor,
        text: `first gratuitous ARP for ${t.vip}`,
      });
    }
    if (t.firstAnswerMs !== undefined) {
      events.push({
        atMs: t.firstAnswerMs,
        server: t.survivor,
        text: `first answer to a client from ${t.vip}`,
      });
    }
  }
  for (const d of m.doubleOwnership) {
    const who = d.servers.join(" and ");
    events.push({ atMs: rel(d.fromMs), text: `${d.vip} owned by both ${who}` });
    if (d.toMs !== undefined)
      events.push({ atMs: rel(d.toMs), text: `${d.vip} has one owner again` });
  }
  for (const { server, entry } of obs.haLog) {
    if (!entry.event) continue;
    events.push({
      atMs: rel(entry.atMs),
      server,
      text: `log: ${entry.message}`,
      resolutionMs: entry.resolutionMs,
    });
  }
  for (const p of obs.services.filter((s) => s.phase !== "before")) {
    const running = (["dhcp", "tftp", "ftp", "ha"] as const).filter((k) => p[k]);
    events.push({
      atMs: rel(p.atMs),
      server: p.server,
      text: `running: ${running.join(", ") || "none"}`,
    });
  }
  return events
    .filter((e) => e.atMs >= rel(obs.startedAtMs) && e.atMs <= rel(obs.endedAtMs))
    .sort((a, b) => a.atMs - b.atMs);
}

/** `+0.412 s` / `-1.000 s`; log lines show their resolution, `~+1 s`. */
export function formatOffset(e: TimelineEvent): string {
  if (e.resolutionMs !== undefined && e.resolutionMs >= 1000) {
    const s = Math.round(e.atMs / 1000);
    return `~${s >= 0 ? "+" : ""}${s} s`;
  }
  const s = (e.atMs / 1000).toFixed(3);
  return `${e.atMs >= 0 ? "+" : ""}${s} s`;
}
