// From an observation to the drill's result: measurements, verdict, timeline (pure).
import { measure } from "./measure.js";
import { buildTimeline } from "./timeline.js";
import type { DrillResult, Observation } from "./types.js";
import { verdict } from "./verdict.js";

export function drillResult(obs: Observation): DrillResult {
  const measurements = measure(obs);
  return {
    setup: obs.setup,
    faultAt: new Date(obs.faultAtMs).toISOString(),
    verdict: verdict(obs, measurements),
    measurements,
    timeline: buildTimeline(obs, measurements),
  };
}
