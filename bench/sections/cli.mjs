// The CLI's own start: Node's floor (`node -e 0`), `ksorch --version` (the bundle and commander,
// no command loaded) and a no-op apply of the applied 2-server lab, so the cost of loading ksorch
// is visible beside the work. Node 20 has no module.enableCompileCache (Node 22.1 added it); the
// bundle (rolldown.config.mjs) and commands loaded on demand (src/cli/commands/index.ts) are
// what cut the load there.
import { join } from "node:path";
import { ROOT } from "../lib/lab.mjs";
import { timed } from "../lib/proc.mjs";
import { cell, ratio, table } from "../lib/stats.mjs";

const kb = (x) => `${(x / 1024).toFixed(0)} MB`;

export async function cliStart({ quick, inventory }) {
  const n = quick ? 3 : 10;
  const cli = join(ROOT, "dist/cli/main.js");
  const cases = [
    ["`node -e 0` (Node's floor)", ["node", "-e", "0"]],
    ["`ksorch --version`", ["node", cli, "--version"]],
    ["`ksorch apply` with nothing to do (2 servers)", ["node", cli, "apply", inventory, "--json"]],
  ];
  const measured = [];
  for (const [what, argv] of cases) {
    const rs = [];
    for (let i = 0; i < n; i++) rs.push(await timed(argv));
    measured.push([what, rs]);
  }
  const floor = measured[0][1].map((r) => r.wallMs);
  const rows = measured.map(([what, rs]) => [
    what,
    rs.length,
    cell(rs.map((r) => r.wallMs)),
    ratio(
      rs.map((r) => r.wallMs),
      floor,
    ),
    cell(rs.map((r) => r.cpuMs)),
    cell(
      rs.map((r) => r.rssKb),
      kb,
    ),
  ]);
  return {
    markdown: table(["run", "n", "wall", "vs node -e 0", "CPU", "peak RSS"], rows),
    notes: [],
    load: measured.flatMap(([, rs]) => rs.map((r) => r.load)),
  };
}
