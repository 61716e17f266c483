// `drill failover --matrix`: one drill per install phase for the chosen mode, the fault landing
// as the first client enters that phase, summed up as one row per phase.
import { formatTable } from "../cli/output.js";
import type { Phase } from "../lab/client/profile.js";
import type { ClientOutcome, Observation } from "./types.js";

export interface MatrixRow {
  phase: Phase;
  pass: boolean;
  finished: number;
  clients: number;
  /** The longest any client took, from the fault, to get past the phase it was in then. */
  longestWaitMs: number;
  /** The most retries one client used in the faulted phase, and that phase's budget. */
  retries: number;
  budget?: number;
  /** How clients got past a failure ("client3 rebooted once after its boot loader failed"). */
  recovered: string[];
  /** The first failed client's error. */
  error?: string;
}

/** How long `c` took from the fault to the end of the phase it was in at the fault. */
function waitAfterFault(c: ClientOutcome, faultAtMs: number): number {
  if (c.startedAt === undefined || !c.phases) return 0;
  const at = faultAtMs - c.startedAt;
  const current = c.phases.find((p) => p.startMs <= at && (p.endMs === undefined || p.endMs >= at));
  if (!current?.endMs) return 0;
  return Math.max(0, current.endMs - at);
}

export function matrixRow(phase: Phase, obs: Observation, pass: boolean): MatrixRow {
  const clients = obs.clients ?? [];
  const inPhase = clients.flatMap((c) => c.phases?.filter((p) => p.phase === phase) ?? []);
  const worst = inPhase.reduce<(typeof inPhase)[number] | undefined>(
    (w, p) => (w === undefined || p.retries > w.retries ? p : w),
    undefined,
  );
  const failed = clients.find((c) => !c.finished || !c.checksumOk);
  return {
    phase,
    pass,
    finished: clients.filter((c) => c.finished && c.checksumOk).length,
    clients: clients.length,
    longestWaitMs: Math.max(0, ...clients.map((c) => waitAfterFault(c, obs.faultAtMs))),
    retries: worst?.retries ?? 0,
    ...(worst?.budget !== undefined ? { budget: worst.budget } : {}),
    recovered: clients.flatMap((c) => (c.recovered ?? []).map((how) => `${c.client} ${how}`)),
    ...(failed?.error ? { error: `${failed.client}: ${failed.error}` } : {}),
  };
}

export function formatMatrix(mode: string, profile: string, rows: readonly MatrixRow[]): string {
  const table = formatTable(
    [
      "PHASE",
      "VERDICT",
      "FINISHED",
      "RECOVERED",
      "LONGEST WAIT",
      "RETRIES / BUDGET",
      "FIRST FAILURE",
    ],
    rows.map((r) => [
      r.phase,
      r.pass ? "pass" : "FAIL",
      `${r.finished}/${r.clients}`,
      String(r.recovered.length),
      `${(r.longestWaitMs / 1000).toFixed(1)} s`,
      `${r.retries} / ${r.budget ?? "unlimited"}`,
      r.error ?? "-",
    ]),
  );
  return `failover matrix: --mode ${mode}, ${profile} clients\n${table}`;
}
