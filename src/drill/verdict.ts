// The drill's verdict (pure): pass only if every VIP of the target was taken over within the
// inventory's limit, no VIP ever had two owners, each has exactly one at the end, DHCP followed
// its VIP, and every install client finished with verified checksums. A failed check carries
// the configuration change that fixes it. One exception: a frozen server without fencing keeps
// its VIP on the wire (its kernel answers ARP) while its peer takes it over; two owners are
// then unavoidable from the fault until a second after the resume, and tolerated only there.
import { adviceFor } from "../ha/advice.js";
import type {
  Check,
  DoubleOwnership,
  Measurements,
  Observation,
  Verdict,
  VipTakeover,
} from "./types.js";

export function verdict(obs: Observation, m: Measurements): Verdict {
  const checks = [
    takeoverCheck(obs, m),
    doubleOwnerCheck(obs, m),
    finalOwnerCheck(obs, m),
    dhcpCheck(obs, m),
    clientsCheck(obs),
    failbackCheck(obs, m),
  ];
  return { pass: checks.every((c) => c.status !== "fail"), checks };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

function takeoverCheck(obs: Observation, m: Measurements): Check {
  const name = "takeover";
  const { engine, maxTakeoverMs: limit, mode, target } = obs.setup;
  if (m.takeovers.length === 0) {
    return { name, status: "fail", detail: `${target} held no VIP when the fault was injected` };
  }
  if (mode === "crossover") return crossoverCheck(obs, m);
  const missing = m.takeovers.find((t) => t.onSurvivorMs === undefined);
  if (missing) {
    return {
      name,
      status: "fail",
      detail: `${missing.vip} was not taken over in the ${seconds((obs.undoAtMs ?? obs.endedAtMs) - obs.faultAtMs)} before the fault was undone`,
      hint: adviceFor(engine, { kind: "no-takeover", vip: missing.vip, mode }),
    };
  }
  const parts = m.takeovers.map((t) => {
    const after = `${t.vip} on ${t.survivor} after ${seconds(t.onSurvivorMs ?? 0)}`;
    const gap = afterRelease(obs, t);
    return gap === undefined ? after : `${after}, ${seconds(gap)} after ${target} released it`;
  });
  const slow = m.takeovers.find((t) => ownerlessMs(obs, t) > limit);
  const judged = mode === "stop" ? "without an owner" : "from the fault";
  const detail = `${parts.join("; ")} (limit ${seconds(limit)} ${judged})`;
  if (!slow) return { name, status: "pass", detail };
  const hint = adviceFor(engine, {
    kind: "slow-takeover",
    vip: slow.vip,
    takenMs: ownerlessMs(obs, slow),
    limitMs: limit,
  });
  return { name, status: "fail", detail, hint };
}

/**
 * How long clients had no server for the VIP. A graceful stop serves until it releases the
 * VIP (after the TFTP transfers in flight): from then. Every other fault: from the fault.
 */
function ownerlessMs(obs: Observation, t: VipTakeover): number {
  return afterRelease(obs, t) ?? t.onSurvivorMs ?? 0;
}

/** A graceful stop's release -> the VIP on the survivor; undefined for every other fault. */
function afterRelease(obs: Observation, t: VipTakeover): number | undefined {
  if (obs.setup.mode !== "stop" || t.releasedMs === undefined) return undefined;
  return Math.max(0, (t.onSurvivorMs ?? 0) - t.releasedMs);
}

/**
 * A dead HA link is no dead server: both still serve, so nothing may move. A VIP that moved
 * means the engine heard its peer on that link alone.
 */
function crossoverCheck(obs: Observation, m: Measurements): Check {
  const name = "no takeover";
  const moved = m.takeovers.find((t) => t.survivor !== undefined);
  if (!moved) {
    const vips = m.takeovers.map((t) => t.vip).join(", ");
    return {
      name,
      status: "pass",
      detail: `${vips} stayed on ${obs.setup.target}: the peers still heard each other over the LAN`,
    };
  }
  return {
    name,
    status: "fail",
    detail: `${moved.vip} moved to ${moved.survivor} after ${seconds(moved.onSurvivorMs ?? 0)} although ${obs.setup.target} was alive`,
    hint: adviceFor(obs.setup.engine, { kind: "crossover-takeover", vip: moved.vip }),
  };
}

/** After a resume, the resumed server gets this long to give up the VIPs its peer took over. */
export const RESUME_GRACE_MS = 1000;

/**
 * `freeze` without `ha.fence`: from the fault to a second after the resume, the interval in
 * which two owners are tolerated. Undefined when none is.
 */
export function toleratedWindow(obs: Observation): { fromMs: number; toMs: number } | undefined {
  if (obs.setup.mode !== "freeze" || obs.setup.fencing) return undefined;
  const resume = obs.undoAtMs ?? obs.endedAtMs;
  return { fromMs: obs.faultAtMs, toMs: resume + RESUME_GRACE_MS };
}

/** The part of a double ownership outside `w`, in ms. */
function outsideMs(
  d: DoubleOwnership,
  endedAtMs: number,
  w: { fromMs: number; toMs: number },
): number {
  const to = d.toMs ?? endedAtMs;
  const before = Math.max(0, Math.min(to, w.fromMs) - d.fromMs);
  const after = Math.max(0, to - Math.max(d.fromMs, w.toMs));
  return before + after;
}

const FENCE_REMOVES =
  "a frozen server keeps answering ARP for its VIP until it resumes; ha.fence (the survivor powers its peer off before taking its VIP) removes this double ownership";

function doubleOwnerCheck(obs: Observation, m: Measurements): Check {
  const name = "single owner throughout";
  const first = m.doubleOwnership[0];
  const w = toleratedWindow(obs);
  if (!first) {
    const fenced = obs.setup.mode === "freeze" && obs.setup.fencing ? " (fenced by ha.fence)" : "";
    return { name, status: "pass", detail: `no VIP ever had two owners${fenced}` };
  }
  const detail = m.doubleOwnership.map(describeDouble).join("; ");
  if (!w) {
    const check: Check = { name, status: "fail", detail, hint: doubleOwnerHint(obs, first) };
    if (obs.setup.mode === "freeze")
      check.detail += " (with ha.fence a freeze must leave none: was the peer fenced?)";
    return check;
  }
  const outside = m.doubleOwnership
    .map((d) => ({ d, ms: outsideMs(d, obs.endedAtMs, w) }))
    .filter((x) => x.ms > 0);
  const window = `from the fault to ${seconds(RESUME_GRACE_MS)} after the resume (+${seconds(w.toMs - obs.faultAtMs)})`;
  if (outside.length === 0) {
    return {
      name,
      status: "pass",
      detail: `${detail}: tolerated, all within the freeze ${window}; ${FENCE_REMOVES}`,
    };
  }
  const late = outside.map((x) => `${x.d.vip}: ${seconds(x.ms)} outside`).join("; ");
  return {
    name,
    status: "fail",
    detail: `${detail}; tolerated only ${window}, but ${late}; ${FENCE_REMOVES}`,
    hint: doubleOwnerHint(obs, outside[0]?.d ?? first),
  };
}

function describeDouble(d: DoubleOwnership): string {
  const still = d.toMs === undefined ? ", still at the end" : "";
  return `${d.vip} on ${d.servers.join(" and ")} for ${seconds(d.durationMs)}${still}`;
}

function doubleOwnerHint(obs: Observation, d: DoubleOwnership): string {
  // The stale holder is the server whose engine died; in a drill that is the target.
  const stale = d.servers.includes(obs.setup.target) ? obs.setup.target : d.servers[0];
  const lan = obs.setup.lan[stale];
  const snap = obs.snapshots.flatMap((s) => s.addrs).find((a) => a.address === d.vip);
  return adviceFor(obs.setup.engine, {
    kind: "double-owner",
    vip: d.vip,
    stale,
    lanInterface: lan?.interface ?? "eth0",
    prefixLength: snap?.prefixLength ?? 24,
  });
}

function finalOwnerCheck(obs: Observation, m: Measurements): Check {
  const name = "one owner at the end";
  const wrong = m.finalOwners.filter((o) => o.servers.length !== 1);
  const detail = m.finalOwners
    .map((o) => `${o.vip}: ${o.servers.join(", ") || "nobody"}`)
    .join("; ");
  if (wrong.length === 0) return { name, status: "pass", detail };
  const two = m.doubleOwnership.find((d) => d.toMs === undefined);
  const check: Check = { name, status: "fail", detail };
  if (two) check.hint = doubleOwnerHint(obs, two);
  return check;
}

function dhcpCheck(obs: Observation, m: Measurements): Check {
  const name = "dhcp follows its VIP";
  if (m.dhcpAfterTakeover === undefined) {
    return { name, status: "skipped", detail: "services were not probed" };
  }
  if (obs.setup.dhcpServer === "kea") return keaCheck(obs, m.dhcpAfterTakeover);
  const { dhcpHome, target, vips, engine } = obs.setup;
  const vip = vips.find((v) => v.home === dhcpHome)?.vip ?? "";
  const moved = m.takeovers.find((t) => t.vip === vip)?.survivor;
  if (dhcpHome === target && moved === undefined) {
    return {
      name,
      status: "skipped",
      detail: `${vip} was not taken over, so DHCP could not follow it`,
    };
  }
  const expected = dhcpHome === target ? moved : dhcpHome;
  const running = m.dhcpAfterTakeover;
  const detail = `after the takeover DHCP serves from ${running.join(", ") || "nowhere"} (expected ${expected ?? "the survivor"})`;
  if (running.length === 1 && running[0] === expected) return { name, status: "pass", detail };
  // A dhcpd left behind by an engine that died is the double-owner finding again, same fix.
  const leftover = running.includes(target) && obs.setup.mode === "crash";
  const hint = leftover
    ? `the dead ${engine} on ${target} left its dhcpd running as it left its VIP: the fix of "single owner throughout" applies`
    : adviceFor(engine, { kind: "dhcp", vip, running });
  return { name, status: "fail", detail, hint };
}

/** Kea moves with no VIP: every server but the target must still run it after the takeover. */
function keaCheck(obs: Observation, running: string[]): Check {
  const name = "kea-dhcp4 on every survivor";
  const survivors = obs.setup.vips.map((v) => v.home).filter((s) => s !== obs.setup.target);
  const missing = survivors.filter((s) => !running.includes(s));
  const detail = `after the takeover kea-dhcp4 serves from ${running.join(", ") || "nowhere"} (expected at least ${survivors.join(", ")})`;
  if (missing.length === 0) return { name, status: "pass", detail };
  return {
    name,
    status: "fail",
    detail,
    hint: `start kea-dhcp4 on ${missing.join(", ")} (apply does)`,
  };
}

function clientsCheck(obs: Observation): Check {
  const name = "install clients finished";
  const clients = obs.clients;
  if (clients === undefined)
    return { name, status: "skipped", detail: "no install clients ran (not a lab)" };
  const ok = clients.filter((c) => c.finished && c.checksumOk);
  const recovered = clients.flatMap((c) => (c.recovered ?? []).map((how) => `${c.client} ${how}`));
  const detail = [
    `${ok.length}/${clients.length} finished with verified checksums`,
    ...recovered,
  ].join("; ");
  if (clients.length > 0 && ok.length === clients.length) return { name, status: "pass", detail };
  const bad = clients
    .filter((c) => !(c.finished && c.checksumOk))
    .map((c) => `${c.client}: ${c.error ?? (c.finished ? "checksum mismatch" : "did not finish")}`);
  return { name, status: "fail", detail: [detail, ...bad].join("; ") };
}

function failbackCheck(obs: Observation, m: Measurements): Check {
  const name = "failback";
  if (obs.undoAtMs === undefined)
    return { name, status: "skipped", detail: "recovery was not run" };
  if (!m.takeovers.some((t) => t.survivor !== undefined)) {
    return { name, status: "skipped", detail: "nothing to fail back: no VIP moved" };
  }
  if (!obs.setup.autoFailback) {
    return {
      name,
      status: "skipped",
      detail: "auto_failback is off: the VIPs stay on the survivor",
    };
  }
  if (m.failbackMs !== undefined) {
    return { name, status: "pass", detail: `every VIP back home after ${seconds(m.failbackMs)}` };
  }
  const home = new Map(obs.setup.vips.map((v) => [v.vip, v.home]));
  const away = m.finalOwners.find(
    (o) => o.servers.length !== 1 || o.servers[0] !== home.get(o.vip),
  );
  const vip = away?.vip ?? obs.setup.vips[0]?.vip ?? "";
  return {
    name,
    status: "fail",
    detail: `${vip} not back home alone by the end of the drill`,
    hint: adviceFor(obs.setup.engine, { kind: "no-failback", vip }),
  };
}
