// One install client, doing the client side of a Kickstart network install with the real
// protocols: DHCP -> TFTP boot file -> boot loader config (in pxelinux's search order, or
// GRUB's for UEFI firmware) -> kernel and initrd -> kickstart (ks=/inst.ks=) -> `url --url`
// -> every file of the tree with resume, each checked against the tree's SHA256SUMS.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KERNEL_PATH, TREE_MANIFEST } from "../tree/build.js";
import type { LabClient } from "../topology.js";
import { requestLease } from "./dhcp.js";
import { grubConfigfileFor, parseGrubConfig, uefiChain, type Firmware } from "./grub.js";
import { download, tftpGet, TFTP_NOT_FOUND, TFTP_PERMANENT, type FetchContext } from "./fetch.js";
import { installUrl, joinUrl, parseManifest } from "./kickstart.js";
import {
  kickstartUrl,
  parsePxelinuxConfig,
  pxelinuxSearchOrder,
  tftpPath,
  type BootEntry,
} from "./pxelinux.js";
import { throughput, totals, type ClientReport, type TimelineEvent } from "./report.js";

export interface InstallOptions {
  /** The whole chain must finish within this many ms (default 300 s). */
  timeoutMs?: number;
  /** Keep the downloaded tree in the client's directory (default: delete once verified). */
  keepFiles?: boolean;
  /** Clients that boot as x64 UEFI firmware (GRUB); the others as BIOS (pxelinux). */
  uefi?: readonly string[];
}

export interface ClientEnv {
  client: LabClient;
  /** The client's "disk": everything it fetches lands here. */
  dir: string;
  dhcpScript: string;
  serversByMac: Map<string, string>;
  firmware: Firmware;
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (b) => h.update(b))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

export async function installClient(
  env: ClientEnv,
  opts: InstallOptions = {},
): Promise<ClientReport> {
  const { client, dir } = env;
  const t0 = Date.now();
  const timeline: TimelineEvent[] = [];
  const note = (event: TimelineEvent["event"], detail: string): void => {
    timeline.push({ tMs: Date.now() - t0, event, detail });
  };
  const ctx: FetchContext = {
    netns: client.netns,
    serversByMac: env.serversByMac,
    t0,
    deadline: t0 + (opts.timeoutMs ?? 300_000),
    transfers: [],
    onRetry: (file, code) => note("retry", `${file} (curl exit ${code})`),
  };
  const report: ClientReport = {
    client: client.name,
    mac: client.mac,
    expectedIp: client.ip,
    startedAt: t0,
    firmware: env.firmware,
    pxelinux: { tried: [] },
    files: 0,
    bytes: 0,
    bytesByAddress: {},
    bytesByServer: {},
    retries: 0,
    checksumFailures: [],
    timeline,
    transfers: ctx.transfers,
    throughput: [],
    durationMs: 0,
    verdict: "fail",
  };
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "boot"), { recursive: true });
  try {
    await chain(env, ctx, report, note);
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    note("error", report.error);
  }
  Object.assign(report, totals(ctx.transfers));
  report.retries = timeline.filter((e) => e.event === "retry").length;
  report.throughput = throughput(ctx.transfers);
  report.durationMs = Date.now() - t0;
  report.verdict =
    report.error === undefined &&
    report.lease?.ip === client.ip &&
    report.checksumFailures.length === 0 &&
    report.files > 0
      ? "pass"
      : "fail";
  if (!opts.keepFiles) await rm(join(dir, "tree"), { recursive: true, force: true });
  return report;
}

/** The boot loader each firmware kind runs: where it looks for its config, and how it reads it. */
interface Loader {
  name: string;
  /** The chain's programs after the boot file (shim's GRUB), then the configs in search order. */
  chain: (bootFile: string, mac: string, ip: string) => { secondStage?: string; configs: string[] };
  parse: (text: string) => BootEntry | undefined;
  /** A config that hands this client on to another file (GRUB's `configfile`). */
  handOff?: (text: string, ip: string) => string | undefined;
}
const PXELINUX: Loader = {
  name: "pxelinux",
  chain: (bootFile, mac, ip) => ({ configs: pxelinuxSearchOrder(bootFile, mac, ip) }),
  parse: parsePxelinuxConfig,
};
const GRUB: Loader = {
  name: "grub",
  chain: uefiChain,
  parse: parseGrubConfig,
  handOff: grubConfigfileFor,
};

async function chain(
  env: ClientEnv,
  ctx: FetchContext,
  report: ClientReport,
  note: (event: TimelineEvent["event"], detail: string) => void,
): Promise<void> {
  const { client, dir } = env;
  const boot = join(dir, "boot");
  note("dhcp", `DISCOVER from ${client.mac}`);
  let lease = await requestLease(client.netns, env.dhcpScript, env.firmware);
  while (!lease && Date.now() < ctx.deadline) {
    note("retry", "dhcp: no lease");
    lease = await requestLease(client.netns, env.dhcpScript, env.firmware);
  }
  if (!lease) throw new Error("dhcp: no lease");
  report.lease = lease;
  note(
    "lease",
    `${lease.ip}/${lease.mask} next-server ${lease.siaddr} file ${lease.bootFile} from ${lease.serverId}`,
  );
  if (lease.ip !== client.ip)
    throw new Error(`dhcp: got ${lease.ip}, expected the fixed address ${client.ip}`);
  if (!lease.siaddr || !lease.bootFile)
    throw new Error("dhcp: lease has no next-server or boot file");

  const tftp = async (path: string, dest: string): Promise<number> => {
    for (;;) {
      const code = await tftpGet(ctx, lease.siaddr, path, dest);
      if (code === 0 || code === TFTP_NOT_FOUND || TFTP_PERMANENT.has(code)) return code;
      if (Date.now() > ctx.deadline) return code;
      ctx.onRetry(`tftp:${path}`, code);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const must = async (path: string, dest: string): Promise<void> => {
    const code = await tftp(path, dest);
    if (code !== 0) throw new Error(`tftp ${lease.siaddr}:${path}: curl exit ${code}`);
    note("tftp", path);
  };
  await must(lease.bootFile, join(boot, "bootfile"));

  const loader = env.firmware === "uefi" ? GRUB : PXELINUX;
  const { secondStage, configs } = loader.chain(lease.bootFile, client.mac, lease.ip);
  report.loaders = [lease.bootFile];
  if (secondStage) {
    await must(secondStage, join(boot, "loader"));
    report.loaders.push(secondStage);
  }
  let config: string | undefined;
  for (const path of configs) {
    report.pxelinux.tried.push(path);
    const code = await tftp(path, join(boot, "loader.cfg"));
    if (code === TFTP_NOT_FOUND) continue;
    if (code !== 0) throw new Error(`tftp ${path}: curl exit ${code}`);
    report.pxelinux.used = path;
    config = await readFile(join(boot, "loader.cfg"), "utf8");
    break;
  }
  if (config === undefined) throw new Error(`${loader.name}: no config file found`);
  const next = loader.handOff?.(config, lease.ip);
  if (next) {
    const path = tftpPath(lease.bootFile, next);
    report.pxelinux.tried.push(path);
    await must(path, join(boot, "loader.cfg"));
    report.pxelinux.used = path;
    config = await readFile(join(boot, "loader.cfg"), "utf8");
  }
  note("config", report.pxelinux.used ?? "");
  const entry = loader.parse(config);
  if (!entry) throw new Error(`${loader.name}: no kernel in ${report.pxelinux.used}`);
  await must(tftpPath(lease.bootFile, entry.kernel), join(boot, "vmlinuz"));
  if (entry.initrd) await must(tftpPath(lease.bootFile, entry.initrd), join(boot, "initrd.img"));
  report.boot = {
    kernel: entry.kernel,
    append: entry.append,
    ...(entry.initrd ? { initrd: entry.initrd } : {}),
  };
  note("kernel", `${entry.kernel} ${entry.append}`);

  const ksUrl = kickstartUrl(entry.append);
  if (!ksUrl)
    throw new Error(`${loader.name}: kernel arguments have no ks= or inst.ks=: ${entry.append}`);
  report.kickstartUrl = ksUrl;
  await download(ctx, "kickstart", ksUrl, join(boot, "ks.cfg"));
  const treeUrl = installUrl(await readFile(join(boot, "ks.cfg"), "utf8"));
  if (!treeUrl) throw new Error(`kickstart ${ksUrl} has no 'url --url'`);
  report.installUrl = treeUrl;
  note("kickstart", `${ksUrl} -> url ${treeUrl}`);

  const tree = join(dir, "tree");
  await mkdir(tree, { recursive: true });
  await download(ctx, TREE_MANIFEST, joinUrl(treeUrl, TREE_MANIFEST), join(tree, TREE_MANIFEST));
  const sums = parseManifest(await readFile(join(tree, TREE_MANIFEST), "utf8"));
  note("manifest", `${sums.size} files`);
  if (sums.size === 0) throw new Error(`${TREE_MANIFEST} lists no files`);
  report.boot.matchesTree = sums.get(KERNEL_PATH) === (await sha256File(join(boot, "vmlinuz")));
  for (const [rel, sum] of sums) {
    if (rel.split("/").includes("..")) throw new Error(`${TREE_MANIFEST}: unsafe path ${rel}`);
    const dest = join(tree, rel);
    await mkdir(dirname(dest), { recursive: true });
    await download(
      ctx,
      rel,
      joinUrl(treeUrl, rel),
      dest,
      // An attempt cut before its first byte (the VIP moving) leaves no file at all.
      async () => (await sha256File(dest).catch(() => undefined)) === sum,
    );
    if ((await sha256File(dest)) !== sum) report.checksumFailures.push(rel);
    report.files++;
  }
  note("verified", `${report.files} files, ${report.checksumFailures.length} checksum failures`);
}
