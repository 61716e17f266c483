// ksorch against Ansible (bench/ansible/site.yml, the same job) on the same lab in one run: a
// cold apply of the whole cluster on a freshly built lab, no-op re-applies, and re-applies after
// one template variable changed (a client's MAC: dhcpd.conf changes on every server and its
// handler restarts dhcpd where it runs), with the handler's own time apart. Ansible runs with
// pipelining + ControlPersist (bench/ansible/ansible.cfg) and, where Debian's ansible-mitogen
// (Mitogen's Ansible plugins) loads under Debian's Ansible, with Mitogen's strategy too.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { checkHealthy, freshLab, ksorch, ROOT } from "../lib/lab.mjs";
import { answer, log, timed } from "../lib/proc.mjs";
import { cell, median, ms, ratio, table, target } from "../lib/stats.mjs";

const HERE = join(ROOT, "bench/ansible");
const MITOGEN = "/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy";
const HANDLER = "restart dhcpd where it runs";

/** Flips the MAC of the inventory's last client between its own and a spare one. */
function flipMac(inventory, original) {
  const doc = parseDocument(readFileSync(inventory, "utf8"));
  const clients = doc.get("clients");
  const last = clients.items.at(-1).key.value;
  const now = doc.getIn(["clients", last, "mac"]);
  const spare = "02:6b:73:ff:ff:01";
  doc.setIn(["clients", last, "mac"], now === original ? spare : original);
  writeFileSync(inventory, doc.toString());
  return now === original ? spare : original;
}

const lastMac = (inventory) => {
  const doc = parseDocument(readFileSync(inventory, "utf8"));
  return doc.get("clients").items.at(-1).value.get("mac");
};

// ksorch's --json report: the engine's own time and the handler's (slowest server).
const ksorchRun = (r) => {
  const rep = JSON.parse(r.stdout);
  const handler = rep.results.filter((x) => x.task === HANDLER).map((x) => x.durationMs);
  return {
    ...r,
    changed: rep.results.filter((x) => x.status === "changed").length,
    handlerMs: handler.length ? Math.max(...handler) : undefined,
  };
};
// Ansible's json callback: a task's duration covers all its hosts. A failed run throws with
// each failed task's host and message (the callback prints the whole report on stdout).
export const ansibleRun = (r) => {
  const rep = JSON.parse(r.stdout);
  if (r.code !== 0) {
    const failures = rep.plays.flatMap((p) =>
      p.tasks.flatMap((t) =>
        Object.entries(t.hosts)
          .filter(([, h]) => h.failed || h.unreachable)
          .map(
            ([host, h]) =>
              `${host}: ${t.task.name}: ${String(h.msg ?? h.stderr ?? "").slice(0, 400)}`,
          ),
      ),
    );
    throw new Error(
      `ansible-playbook exited ${r.code}: ${failures.join("; ") || r.stderr.slice(-800)}`,
    );
  }
  const tasks = rep.plays.flatMap((p) => p.tasks);
  const handler = tasks.find((t) => t.task.name === HANDLER);
  const span = (d) => Date.parse(d.end) - Date.parse(d.start);
  return {
    ...r,
    changed: Object.values(rep.stats).reduce((a, s) => a + s.changed, 0),
    handlerMs: handler ? span(handler.task.duration) : undefined,
  };
};

export async function orchestration({ quick, lab, labArgs, out }) {
  const n = quick ? 1 : 3;
  const runs = {};
  const notes = [];
  // Ansible first, on a fresh lab with its prerequisite (python3, python3-apt, rsync) offline.
  let inv = await freshLab(lab, labArgs);
  const original = lastMac(inv);
  await timed(["bash", join(HERE, "python.sh"), inv]);
  const render = join(out, "render");
  const hosts = join(out, "hosts.yml");
  const prepare = async () => {
    await ksorch(["render", inv, "--out", render]);
    writeFileSync(hosts, (await timed(["node", join(HERE, "inventory.mjs"), inv, render])).stdout);
  };
  const playbook = (extra = {}, cfg = "ansible.cfg") =>
    timed(["ansible-playbook", "-i", hosts, join(HERE, "site.yml")], {
      env: {
        ANSIBLE_CONFIG: join(HERE, cfg),
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(out, `cp-${cfg}`),
        ...extra,
      },
      allowFail: true,
    }).then(ansibleRun);
  await prepare();
  runs.ansCold = [await playbook()];
  await checkHealthy(inv, "Ansible's cold apply");
  runs.ansNoop = [];
  for (let i = 0; i < n; i++) runs.ansNoop.push(await playbook());
  runs.defNoop = [];
  for (let i = 0; i < n; i++) runs.defNoop.push(await playbook({}, "ansible-default.cfg"));
  runs.mitoNoop = [];
  if (existsSync(MITOGEN)) {
    const mitogen = { ANSIBLE_STRATEGY_PLUGINS: MITOGEN, ANSIBLE_STRATEGY: "mitogen_linear" };
    const first = await playbook(mitogen).catch((err) => err);
    if (first instanceof Error) {
      const why = first.message.split("\n").find((l) => /mitogen|ERROR/i.test(l)) ?? first.message;
      notes.push(
        `Ansible with Mitogen (ansible-mitogen ${answer(["dpkg-query", "-W", "-f", "${Version}", "ansible-mitogen"])}, strategy mitogen_linear) does not run under Debian's Ansible: \`${why.trim().slice(0, 300)}\``,
      );
    } else {
      runs.mitoNoop.push(first);
      for (let i = 1; i < n; i++) runs.mitoNoop.push(await playbook(mitogen));
    }
  } else
    notes.push(
      "Ansible with Mitogen: ansible-mitogen is not installed (scripts/setup.sh installs it).",
    );
  runs.ansChange = [];
  for (let i = 0; i < n; i++) {
    flipMac(inv, original);
    await prepare();
    runs.ansChange.push(await playbook());
  }
  log("Ansible done");

  // ksorch on a lab built afresh; it stays up, applied, for the sections after this one.
  inv = await freshLab(lab, labArgs);
  const apply = () => ksorch(["apply", inv, "--json"]).then(ksorchRun);
  runs.ksCold = [await apply()];
  await checkHealthy(inv, "ksorch's cold apply");
  runs.ksNoop = [];
  for (let i = 0; i < n; i++) runs.ksNoop.push(await apply());
  runs.ksChange = [];
  for (let i = 0; i < n; i++) {
    flipMac(inv, original);
    runs.ksChange.push(await apply());
  }
  if (lastMac(inv) !== original) {
    flipMac(inv, original);
    await apply();
  }
  log("ksorch done");

  const w = (rs) => rs.map((r) => r.wallMs);
  const row = (what, ks, ans) => [
    what,
    ks.length,
    cell(w(ks)),
    ans.length ? cell(w(ans)) : "-",
    ans.length ? ratio(w(ks), w(ans)) : "-",
    cell(ks.map((r) => r.cpuMs)),
    ans.length ? cell(ans.map((r) => r.cpuMs)) : "-",
    `${ks.map((r) => r.changed).join("/")} vs ${ans.map((r) => r.changed).join("/") || "-"}`,
  ];
  const rows = [
    row("cold apply, fresh lab", runs.ksCold, runs.ansCold),
    row("no-op re-apply", runs.ksNoop, runs.ansNoop),
    row("no-op re-apply, Ansible in its default configuration", runs.ksNoop, runs.defNoop),
    row("no-op re-apply, Ansible with Mitogen", runs.ksNoop, runs.mitoNoop),
    row("re-apply, one variable changed", runs.ksChange, runs.ansChange),
    [
      "the handler alone (restart dhcpd)",
      runs.ksChange.length,
      cell(runs.ksChange.map((r) => r.handlerMs)),
      cell(runs.ansChange.map((r) => r.handlerMs)),
      ratio(
        runs.ksChange.map((r) => r.handlerMs),
        runs.ansChange.map((r) => r.handlerMs),
      ),
      "",
      "",
      "",
    ],
  ];
  const md = table(
    [
      "run",
      "n",
      "ksorch wall",
      "Ansible wall",
      "ratio",
      "ksorch CPU here",
      "Ansible CPU here",
      "changed (ksorch vs Ansible)",
    ],
    rows,
  );
  const m = (rs, f = (r) => r.wallMs) => median(rs.map(f));
  const coldRatio = m(runs.ksCold) / m(runs.ansCold);
  const beyond = m(runs.ksChange, (r) => r.wallMs - (r.handlerMs ?? 0));
  notes.push(
    `ksorch's re-apply after the change, beyond its handler's own time: ${ms(beyond)} (median).`,
    target("cold apply at most 0.6x Ansible's", `${coldRatio.toFixed(2)}x`, coldRatio <= 0.6),
    target("no-op re-apply under 0.5 s wall", ms(m(runs.ksNoop)), m(runs.ksNoop) < 500),
    target("one changed variable within 1 s of the handler's own time", ms(beyond), beyond <= 1000),
  );
  return {
    markdown: md,
    notes,
    load: [
      ...Object.values(runs)
        .flat()
        .map((r) => r.load),
    ],
  };
}
