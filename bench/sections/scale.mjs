// Scale: ten cheap tasks (bench/scale/) on 2, 10, 30 and 50 lab hosts with only sshd (`ksorch
// lab up --servers N --clients 1`: lab servers whose packages sit in the image's apt cache,
// not installed, so sshd is all that runs), cold and no-op, ksorch and Ansible side by side on
// the same hosts in the same run; wall time, CPU time of the controller's processes, peak
// memory of its largest process. Both run 10 hosts at once (ksorch --forks 10, Ansible forks =
// 10 in bench/ansible/ansible.cfg).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshLab, ksorch, labDown, ROOT } from "../lib/lab.mjs";
import { log, timed } from "../lib/proc.mjs";
import { cell, median, ms, ratio, table, target } from "../lib/stats.mjs";
import { ansibleRun } from "./orchestration.mjs";

const kb = (x) => `${(x / 1024).toFixed(0)} MB`;

export async function scale(ctx) {
  try {
    return await measure(ctx);
  } finally {
    await labDown(ctx.lab);
  }
}

async function measure({ quick, lab, labArgs, out }) {
  const sizes = quick ? [2, 4] : [2, 10, 30, 50];
  const n = quick ? 1 : 3;
  const rows = [];
  const loads = [];
  const wall = {}; // "hosts|kind" -> median wall
  for (const hosts of sizes) {
    const inv = await freshLab(lab, ["--servers", String(hosts), "--clients", "1", ...labArgs]);
    await timed(["bash", join(ROOT, "bench/ansible/python.sh"), inv]);
    const hostsFile = join(out, `scale-${hosts}.yml`);
    writeFileSync(
      hostsFile,
      (await timed(["node", join(ROOT, "bench/ansible/inventory.mjs"), inv, out])).stdout,
    );
    const ks = () =>
      ksorch(["apply", inv, "--playbooks", join(ROOT, "bench/scale/playbooks"), "--json"]);
    const ans = () =>
      timed(["ansible-playbook", "-i", hostsFile, join(ROOT, "bench/scale/site.yml")], {
        env: {
          ANSIBLE_CONFIG: join(ROOT, "bench/ansible/ansible.cfg"),
          ANSIBLE_SSH_CONTROL_PATH_DIR: join(out, `cp-scale-${hosts}`),
        },
        allowFail: true,
      }).then(ansibleRun);
    const runs = { ksCold: [await ks()], ansCold: [await ans()], ksNoop: [], ansNoop: [] };
    for (let i = 0; i < n; i++) {
      runs.ksNoop.push(await ks());
      runs.ansNoop.push(await ans());
    }
    const pairs = JSON.parse(runs.ksCold[0].stdout).results.length;
    for (const [what, k, a] of [
      ["cold", runs.ksCold, runs.ansCold],
      ["no-op", runs.ksNoop, runs.ansNoop],
    ]) {
      const w = (rs) => rs.map((r) => r.wallMs);
      rows.push([
        hosts,
        what,
        k.length,
        cell(w(k)),
        cell(w(a)),
        ratio(w(k), w(a)),
        cell(k.map((r) => r.cpuMs)),
        cell(a.map((r) => r.cpuMs)),
        cell(
          k.map((r) => r.rssKb),
          kb,
        ),
        cell(
          a.map((r) => r.rssKb),
          kb,
        ),
      ]);
    }
    for (const [k, rs] of Object.entries(runs))
      wall[`${hosts}|${k}`] = median(rs.map((r) => r.wallMs));
    loads.push(
      ...Object.values(runs)
        .flat()
        .map((r) => r.load),
    );
    log(`scale: ${hosts} hosts done (${pairs} task-host pairs)`);
  }
  const big = sizes.at(-1);
  const at = (k) => wall[`${big}|${k}`];
  const targets = [
    target(`${big} hosts x 10 tasks under 3 s cold`, ms(at("ksCold")), at("ksCold") < 3000),
    target(`${big} hosts under 1.5 s no-op`, ms(at("ksNoop")), at("ksNoop") < 1500),
    target(
      `at least 10x faster than Ansible at ${big} hosts (cold / no-op)`,
      `${ratio(at("ansCold"), at("ksCold"))} / ${ratio(at("ansNoop"), at("ksNoop"))}`,
      at("ansCold") >= 10 * at("ksCold") && at("ansNoop") >= 10 * at("ksNoop"),
    ),
    target(
      `the time at ${big} hosts at most 3x the time at 2 (cold)`,
      ratio(at("ksCold"), wall["2|ksCold"]),
      at("ksCold") <= 3 * wall["2|ksCold"],
    ),
  ];
  rows.push([
    100,
    "cold, 4 operations: pyinfra's published figure, measured elsewhere",
    "",
    "8.4 s (pyinfra)",
    "78 s",
    "0.11x",
    "",
    "",
    "",
    "",
  ]);
  return {
    markdown: table(
      [
        "hosts",
        "run",
        "n",
        "ksorch wall",
        "Ansible wall",
        "ratio",
        "ksorch CPU",
        "Ansible CPU",
        "ksorch peak RSS",
        "Ansible peak RSS",
      ],
      rows,
    ),
    notes: [
      ...targets,
      "CPU is user + system time of the controller's processes (the tool and every child it waited for; not Ansible's SSH control masters, which outlive the run, nor the hosts' side). Peak RSS is that of the largest single process (GNU time's maximum resident set size).",
      "pyinfra's row is the figure pyinfra publishes for itself against Ansible (100 hosts x 4 operations), not measured here.",
    ],
    load: loads,
  };
}
