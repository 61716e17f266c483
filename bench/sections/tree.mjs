// Tree copy: a tree of FILES files and BYTES bytes to the 2 servers of the applied lab, cold
// (nothing on the servers) and no-op (all there), by ksorch's `sync` module in a playbook of its
// own, against plain `rsync -a` over ssh to the same servers, both servers at once for both.
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { endpoints, ksorch, onServer, sshOptions } from "../lib/lab.mjs";
import { log, timed } from "../lib/proc.mjs";
import { cell, mb, mbps, median, ms, ratio, table, target } from "../lib/stats.mjs";

const CACHE = "/var/tmp/ksorch-bench";

/** A tree of `files` files (sizes from 1x to 3x the mean, 40 folders), cached by its shape. */
function ensureTree(files, bytes) {
  const dir = join(CACHE, `tree-${files}x${bytes}`);
  if (existsSync(dir)) return dir;
  log(`writing a tree of ${files} files, ${mb(bytes)} to ${dir}`);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const mean = bytes / files;
  // Pseudo-random, not compressible, cheap: an xorshift over one 4 MiB block, sliced per file.
  const block = Buffer.alloc(4 * 2 ** 20);
  let x = 2463534242;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    block.writeUInt32LE(x >>> 0, i);
  }
  let left = bytes;
  for (let i = 0; i < files; i++) {
    const size = i === files - 1 ? left : Math.round(mean * (0.5 + ((i * 7919) % 1000) / 1000));
    left -= size;
    const folder = join(tmp, `d${i % 40}`);
    mkdirSync(folder, { recursive: true });
    const chunks = [];
    for (let done = 0; done < size; done += block.length - (i % 997))
      chunks.push(block.subarray(i % 997, Math.min(block.length, (i % 997) + size - done)));
    writeFileSync(join(folder, `f${i}.rpm`), Buffer.concat(chunks));
  }
  renameSync(tmp, dir);
  return dir;
}

export async function treeCopy({ quick, inventory, out }) {
  const [files, bytes] = quick ? [200, 32e6] : [2000, 1e9];
  const n = quick ? 1 : 3;
  const src = ensureTree(files, bytes);
  const servers = endpoints(inventory);
  const books = join(out, "tree-playbooks");
  mkdirSync(books, { recursive: true });
  writeFileSync(
    join(books, "10-tree.yaml"),
    `name: bench tree copy\ntasks:\n  - name: the tree\n    sync: { src: "${src}", dest: /srv/bench-ksorch }\n`,
  );
  const ks = () => ksorch(["apply", inventory, "--playbooks", books, "--json"]);
  const ssh = (ep) => `ssh ${sshOptions(ep).join(" ")}`;
  const rsyncLine = servers
    .map((ep) => `rsync -a -e '${ssh(ep)}' ${src}/ root@${ep.host}:/srv/bench-rsync/ & p="$p $!"`)
    .join("; ");
  const rsync = () =>
    timed(["bash", "-c", `${rsyncLine}; for x in $p; do wait $x || exit 1; done`]);
  const clear = () =>
    Promise.all(servers.map((ep) => onServer(ep, "rm -rf /srv/bench-ksorch /srv/bench-rsync")));
  const runs = { ksCold: [], rsCold: [], ksNoop: [], rsNoop: [] };
  for (let i = 0; i < n; i++) {
    await clear();
    runs.ksCold.push(await ks());
    runs.rsCold.push(await rsync());
  }
  for (let i = 0; i < n; i++) {
    runs.ksNoop.push(await ks());
    runs.rsNoop.push(await rsync());
  }
  await clear();
  const total = bytes * servers.length;
  const w = (rs) => rs.map((r) => r.wallMs);
  const row = (what, k, r) => [
    what,
    k.length,
    cell(w(k)),
    cell(w(r)),
    ratio(w(k), w(r)),
    what.startsWith("cold") ? mbps(total, median(w(k))) : "",
    what.startsWith("cold") ? mbps(total, median(w(r))) : "",
    cell(k.map((x) => x.cpuMs)),
    cell(r.map((x) => x.cpuMs)),
  ];
  return {
    markdown: table(
      [
        "run",
        "n",
        "ksorch wall",
        "rsync -a wall",
        "ratio",
        "ksorch MB/s",
        "rsync MB/s",
        "ksorch CPU",
        "rsync CPU",
      ],
      [row("cold copy", runs.ksCold, runs.rsCold), row("no-op copy", runs.ksNoop, runs.rsNoop)],
    ),
    notes: [
      target(
        "cold copy within 1.25x plain rsync",
        ratio(w(runs.ksCold), w(runs.rsCold)),
        median(w(runs.ksCold)) <= 1.25 * median(w(runs.rsCold)),
      ),
      target("no-op copy under 0.5 s", ms(median(w(runs.ksNoop))), median(w(runs.ksNoop)) < 500),
      `The tree: ${files} files, ${mb(bytes)}, to ${servers.length} servers at once (${mb(total)} in all); MB/s is that total over the median wall time. ksorch's time is a whole \`ksorch apply\` of a one-task playbook (connection and facts included); rsync's is one \`rsync -a\` per server over ssh, started together.`,
    ],
    load: Object.values(runs)
      .flat()
      .map((r) => r.load),
  };
}
