// `npm run bench [-- --quick] [-- --only a,b]`: every speed claim of ksorch measured in one run
// and written to docs/benchmarks.md: the machine, the tools, the date and, per table, the load
// average while it was measured, medians with min-max and a ratio for each side-by-side row.
// --quick: every table with minimal sizes and one run per figure (a smoke run: it shows the
// benchmark works, not how fast anything is). --only: those sections, spliced into the existing
// document between their markers. Needs root, a built CLI (npm run build) and the packages of
// scripts/setup.sh (ansible, ansible-mitogen, rsync, time). Labs: LAB_PREFIX (default bench) +
// a, b, c, their servers' sshd on 127.0.0.1:BENCH_PORT_BASE (default 40000) + 100, 200, 300.
import console from "node:console";
import process from "node:process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkHealthy, inventoryOf, ksorch, labDown, ROOT } from "./lib/lab.mjs";
import { log, machine, timed } from "./lib/proc.mjs";
import { minMax } from "./lib/stats.mjs";
import { cliStart } from "./sections/cli.mjs";
import { failover } from "./sections/failover.mjs";
import { orchestration } from "./sections/orchestration.mjs";
import { scale } from "./sections/scale.mjs";
import { table1 } from "./sections/table1.mjs";
import { treeCopy } from "./sections/tree.mjs";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
  },
});
const quick = opts.quick;
const prefix = process.env.LAB_PREFIX ?? "bench";
const out = mkdtempSync("/tmp/ksorch-bench-");
// One set of secrets for every tool and lab of the run: Ansible installs what ksorch rendered.
process.env.KSORCH_SECRETS_DIR = join(out, "secrets");
// Ports above the range lab names hash to (src/lab/topology.ts: 3000-32999), so no other lab
// on the machine holds them.
const PORTS = Number(process.env.BENCH_PORT_BASE ?? 40000);
const ctx = {
  quick,
  out,
  lab: `${prefix}a`,
  labArgs: ["--clients", "16", "--port-base", String(PORTS + 100)],
  lab2: `${prefix}a`,
  inventory2: inventoryOf(`${prefix}a`),
  inventory: inventoryOf(`${prefix}a`),
  lab3: `${prefix}b`,
  inventory3: inventoryOf(`${prefix}b`),
};

/** A lab up (kept when it already is, with this shape) and applied, healthy. */
const ready = new Set();
/** Every lab this run touched, to take down at its end. */
const used = new Set();
async function cluster(lab, args) {
  used.add(lab);
  if (ready.has(lab)) return;
  const r = await ksorch(["lab", "up", "--name", lab, ...args]);
  log(`lab ${lab} up (${Math.round(r.wallMs)} ms)`);
  // As bench/drill.sh: apply is idempotent, a second run finishes what a transient SSH failure
  // (a connection timing out on a loaded machine) interrupted.
  await ksorch(["apply", inventoryOf(lab), "--json"]).catch((err) => {
    log(`lab ${lab}: apply failed, once more: ${err.message.split("\n")[0]}`);
    return ksorch(["apply", inventoryOf(lab), "--json"]);
  });
  await checkHealthy(inventoryOf(lab), `lab ${lab}`);
  ready.add(lab);
}
const lab2 = () => cluster(ctx.lab2, ctx.labArgs);
const lab3 = () =>
  cluster(ctx.lab3, [
    "--inventory",
    "inventory/lab3.yaml",
    "--clients",
    "16",
    "--port-base",
    String(PORTS + 200),
  ]);

const SECTIONS = [
  {
    name: "orchestration",
    title: "Orchestration: ksorch against Ansible, same lab, same run",
    run: async () => {
      used.add(ctx.lab2);
      const r = await orchestration(ctx);
      ready.add(ctx.lab2);
      return r;
    },
    what: "The whole cluster (inventory/lab.yaml: 2 servers, heartbeat, 16 install clients), ksorch's playbooks against bench/ansible/site.yml, Ansible's version of them (pipelining + ControlPersist). Each cold apply on a freshly built lab, after which the cluster must be healthy. The variable: one client's MAC (dhcpd.conf changes on both servers, its handler restarts dhcpd where it runs). Ratio: ksorch's median over Ansible's.",
  },
  {
    name: "cli",
    title: "The CLI's own start",
    run: async () => (await lab2(), cliStart(ctx)),
    what: "Node 20.20 has no `module.enableCompileCache` (Node 22.1 added it); ksorch is bundled (rolldown.config.mjs) and loads only the command it runs.",
  },
  {
    name: "tree",
    title: "Tree copy: ksorch's sync against rsync -a",
    run: async () => {
      await lab2();
      await timed(["bash", join(ROOT, "bench/ansible/python.sh"), ctx.inventory2]); // rsync on the servers
      return treeCopy(ctx);
    },
    what: "",
  },
  {
    name: "table1",
    title: "The paper's Table 1 with the network as the bottleneck",
    run: async () => (await lab2(), await lab3(), table1(ctx)),
    what: "",
  },
  {
    name: "failover",
    title: "Failover: every fault mode, both engines",
    run: async () => (await lab2(), await lab3(), failover(ctx)),
    what: "",
  },
  {
    name: "scale",
    title: "Scale: ten cheap tasks on 2 to 50 hosts",
    run: () => scale({ ...ctx, lab: `${prefix}c`, labArgs: ["--port-base", String(PORTS + 300)] }),
    what: "",
  },
];

const only = opts.only ? opts.only.split(",") : SECTIONS.map((s) => s.name);
const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
if (unknown.length) {
  console.error(
    `unknown section(s) ${unknown.join(", ")}; sections: ${SECTIONS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const file = opts.out ?? join(ROOT, "docs/benchmarks.md");
const head = [
  "# Benchmarks",
  "",
  quick
    ? `**A quick run (\`npm run bench -- --quick\`): minimal sizes, one run per figure. It shows that every table can be regenerated, not how fast anything is; the reference figures come from \`npm run bench\` on a quiet machine.**`
    : "Generated by `npm run bench` (medians of at least 3 runs, min-max in brackets).",
  "",
  `- date: ${new Date().toISOString()}`,
  ...machine(ROOT),
  "",
  "Every table below says the command that regenerates it; `npm run bench` regenerates them all (about 30 minutes on 2 cores).",
].join("\n");
function writeDoc() {
  let doc;
  const old = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (opts.only && old) {
    doc = old.replace(/^[\s\S]*?(?=<!-- bench:)/, `${head}\n\n`);
    for (const [name, text] of rendered) {
      const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
      doc = re.test(doc) ? doc.replace(re, text) : `${doc.trimEnd()}\n\n${text}\n`;
    }
  } else doc = `${head}\n\n${[...rendered.values()].join("\n\n")}\n`;
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(`${file}.tmp`, doc);
  renameSync(`${file}.tmp`, file);
}

const command = (name) => `\`npm run bench -- ${quick ? "--quick " : ""}--only ${name}\``;
const rendered = new Map();
let failed = 0;
for (const s of SECTIONS.filter((x) => only.includes(x.name))) {
  log(`section ${s.name}`);
  const t0 = Date.now();
  let body;
  try {
    const r = await s.run();
    const l = minMax(r.load);
    body = [
      `Regenerate: ${command(s.name)}. Measured ${new Date(t0).toISOString().slice(0, 16)}Z; load average (1 min) meanwhile: ${l ? `${l.min.toFixed(1)}-${l.max.toFixed(1)}` : "-"}; ${Math.round((Date.now() - t0) / 1000)} s for this table.${quick ? " Quick run: one run per figure and minimal sizes." : ""}`,
      ...(s.what ? ["", s.what] : []),
      "",
      r.markdown,
      ...(r.notes.length ? ["", ...r.notes.map((n) => `- ${n}`)] : []),
    ].join("\n");
  } catch (err) {
    failed += 1;
    log(`section ${s.name} failed: ${err.stack ?? err}`);
    body = `Regenerate: ${command(s.name)}.\n\n**Not measured: this table failed in this run:**\n\n\`\`\`\n${String(err.message ?? err).slice(0, 2000)}\n\`\`\``;
  }
  rendered.set(
    s.name,
    `<!-- bench:${s.name} -->\n## ${s.title}\n\n${body}\n<!-- /bench:${s.name} -->`,
  );
  // After every table: a run stopped halfway keeps what it measured.
  writeDoc();
}
// Only the labs this run brought up: another run's (`--only`) may still be measuring on its own.
for (const lab of used) await labDown(lab).catch(() => undefined);

rmSync(out, { recursive: true, force: true });
log(`wrote ${file}${failed ? `; ${failed} table(s) failed` : ""}`);
process.exit(failed ? 1 : 0);
