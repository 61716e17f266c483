// Failover: bench/drill.sh's drills (every mode, both engines) on the labs the other sections
// built and applied (heartbeat on 2 servers, keepalived on 3), with the paper's 4 s beside them.
import { join } from "node:path";
import { drillTable } from "../drill-table.mjs";
import { ROOT } from "../lib/lab.mjs";
import { timed } from "../lib/proc.mjs";

const ALL_MODES = "stop crash poweroff link link:drop crossover crossover:drop freeze";

export async function failover({ quick, lab2, lab3, out }) {
  const modes = quick ? "stop" : ALL_MODES;
  const dir = join(out, "drills");
  await timed(["bash", join(ROOT, "bench/drill.sh")], {
    env: {
      OUT: dir,
      RUNS: quick ? "1" : "5",
      MODES: modes,
      INVENTORIES: `inventory/lab.yaml=${lab2} inventory/lab3.yaml=${lab3}`,
    },
  });
  const t = drillTable(dir, modes.split(" "));
  return {
    markdown: `${t.markdown}\n\nThe paper's takeover (\`service heartbeat stop\`, read from heartbeat's log): about 4 s, measured elsewhere.`,
    notes: [
      "Takeover: fault to the VIP on the survivor; times from the fault by the servers' own clocks; two owners: the total time any VIP answered from two servers; load: the 1-minute load average as each drill started. Every install client of the lab downloads through each fault.",
      ...t.missing,
    ],
    load: t.loads,
  };
}
