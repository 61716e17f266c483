// One install client, doing the client side of a Kickstart network install with the real
// protocols, phase by phase: DHCP -> TFTP (boot file, the boot loader's config in pxelinux's
// or GRUB's search order, kernel, initrd) -> the kickstart (ks=/inst.ks=) -> stage2 from its
// `url --url` -> the packages of its %packages, installed by dnf. How patient each phase is
// comes from the client's profile (./profile.ts).
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KERNEL_PATH, TREE_MANIFEST } from "../tree/build.js";
import type { LabClient } from "../topology.js";
import { dhcpPhase, Reboot, tftpPhase, tftpRetryBudget } from "./boot.js";
import { runDnf, verifyInstalled } from "./dnf.js";
import { dracutFetch, fetchStage2, firstSource, sha256File } from "./dracut.js";
import { download, type FetchContext } from "./fetch.js";
import type { Firmware } from "./grub.js";
import { installUrl, parseManifest, joinUrl } from "./kickstart.js";
import { neighbourMac } from "./netns.js";
import { clientProfile, type ClientProfile, type Phase, type ProfileName } from "./profile.js";
import { kickstartUrls, stage2Urls, type BootEntry } from "./pxelinux.js";
import {
  throughput,
  totals,
  type ClientReport,
  type DnfResult,
  type PhaseRecord,
  type TimelineEvent,
} from "./report.js";

export interface InstallOptions {
  /** The whole chain must finish within this many ms (default 300 s). */
  timeoutMs?: number;
  /** Keep the client's files (boot files, stage2, installroot) in its directory. */
  keepFiles?: boolean;
  /** Clients that boot as x64 UEFI firmware (GRUB); the others as BIOS (pxelinux). */
  uefi?: readonly string[];
  /** How patient the clients are (default `real`). */
  profile?: ProfileName;
  /** dnf installs into the installroot (default) or only downloads the transaction. */
  dnf?: DnfResult["mode"];
  /** Called as a client enters each phase. */
  onPhase?: (client: string, phase: Phase) => void;
}

export interface ClientEnv {
  client: LabClient;
  /** The client's "disk": everything it fetches lands here. */
  dir: string;
  dhcpScript: string;
  serversByMac: Map<string, string>;
  firmware: Firmware;
}

/** The phase records of one client; retries count against the open one. */
class Phases {
  readonly records: PhaseRecord[] = [];
  constructor(
    private readonly t0: number,
    private readonly onEnter: (phase: Phase) => void,
  ) {}
  begin(phase: Phase, budget: number | undefined): void {
    this.end(true);
    this.records.push({
      phase,
      startMs: Date.now() - this.t0,
      retries: 0,
      ...(budget !== undefined ? { budget } : {}),
      ok: false,
    });
    this.onEnter(phase);
  }
  retry(): void {
    const open = this.records.at(-1);
    if (open) open.retries++;
  }
  end(ok: boolean): void {
    const open = this.records.at(-1);
    if (open && open.endMs === undefined) Object.assign(open, { endMs: Date.now() - this.t0, ok });
  }
}

export async function installClient(
  env: ClientEnv,
  opts: InstallOptions = {},
): Promise<ClientReport> {
  const { client, dir } = env;
  const profile = clientProfile(opts.profile ?? "real");
  const t0 = Date.now();
  const timeline: TimelineEvent[] = [];
  const note = (event: TimelineEvent["event"], detail: string): void => {
    timeline.push({ tMs: Date.now() - t0, event, detail });
  };
  const phases = new Phases(t0, (p) => opts.onPhase?.(client.name, p));
  const ctx: FetchContext = {
    netns: client.netns,
    serversByMac: env.serversByMac,
    t0,
    deadline: t0 + (opts.timeoutMs ?? 300_000),
    transfers: [],
    onRetry: (file, code) => {
      note("retry", `${file} (curl exit ${code})`);
      phases.retry();
    },
  };
  const report: ClientReport = {
    client: client.name,
    mac: client.mac,
    expectedIp: client.ip,
    startedAt: t0,
    firmware: env.firmware,
    profile: profile.name,
    phases: phases.records,
    reboots: 0,
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
    await chain({ env, ctx, profile, phases, report, note }, opts);
    phases.end(true);
  } catch (err) {
    phases.end(false);
    report.error = err instanceof Error ? err.message : String(err);
    note("error", report.error);
  }
  Object.assign(report, totals(ctx.transfers));
  report.retries = phases.records.reduce((n, p) => n + p.retries, 0);
  report.throughput = throughput(ctx.transfers);
  report.durationMs = Date.now() - t0;
  report.verdict =
    report.error === undefined &&
    report.lease?.ip === client.ip &&
    report.checksumFailures.length === 0 &&
    report.dnf?.exitCode === 0 &&
    report.dnf.packages.length > 0
      ? "pass"
      : "fail";
  if (!opts.keepFiles) await rm(dir, { recursive: true, force: true });
  return report;
}

const retryBudget = (n: number): number | undefined => (n > 0 ? n : undefined);

/** One client's install as it goes: where it is, how patient, and what it has seen. */
interface Run {
  env: ClientEnv;
  ctx: FetchContext;
  profile: ClientProfile;
  phases: Phases;
  report: ClientReport;
  note: (event: TimelineEvent["event"], detail: string) => void;
}

/**
 * The PC from power-on to its kernel and initrd: DHCP, then TFTP. A boot loader's fatal error
 * (Reboot) resets the PC, which starts again from DHCP after the loader's wait, as long as the
 * install's deadline leaves room for it.
 */
async function bootFirmware(run: Run): Promise<BootEntry> {
  const { env, ctx, profile, phases, report, note } = run;
  const { client } = env;
  for (;;) {
    phases.begin("dhcp", profile.dhcpForever ? undefined : profile.dhcpTimeoutsS.length - 1);
    const lease = await dhcpPhase(env, ctx, profile, note);
    report.lease = lease;
    note(
      "lease",
      `${lease.ip}/${lease.mask} next-server ${lease.siaddr} file ${lease.bootFile} from ${lease.serverId}`,
    );
    if (lease.ip !== client.ip)
      throw new Error(`dhcp: got ${lease.ip}, expected the fixed address ${client.ip}`);
    if (!lease.siaddr || !lease.bootFile)
      throw new Error("dhcp: lease has no next-server or boot file");

    const loaderBudget = env.firmware === "uefi" ? profile.grub : profile.pxelinux;
    phases.begin("tftp", tftpRetryBudget(loaderBudget));
    report.pxelinux = { tried: [] };
    try {
      return await tftpPhase(env, ctx, profile, report, lease, note);
    } catch (err) {
      if (!(err instanceof Reboot) || Date.now() + err.afterS * 1000 > ctx.deadline) throw err;
      phases.end(false);
      note("reboot", `${err.message} in ${err.afterS} s`);
      report.reboots++;
      await sleep(err.afterS * 1000);
    }
  }
}

async function chain(run: Run, opts: InstallOptions): Promise<void> {
  const { env, ctx, profile, phases, report, note } = run;
  const { dir } = env;
  const boot = join(dir, "boot");
  const entry = await bootFirmware(run);
  report.boot = {
    kernel: entry.kernel,
    append: entry.append,
    ...(entry.initrd ? { initrd: entry.initrd } : {}),
  };
  note("kernel", `${entry.kernel} ${entry.append}`);

  const ksUrls = kickstartUrls(entry.append);
  if (ksUrls.length === 0)
    throw new Error(`kernel arguments have no ks= or inst.ks=: ${entry.append}`);
  const curlBudget = profile.curlArgs ? 3 : undefined;
  phases.begin("kickstart", curlBudget);
  const fetched = await firstSource(ctx, "kickstart", ksUrls, (url) =>
    dracutFetch(ctx, profile, "kickstart", url, join(boot, "ks.cfg")),
  );
  const ksUrl = fetched.source;
  report.kickstartUrl = ksUrl;
  if (fetched.failed.length > 0) report.kickstartFailed = fetched.failed;
  const kickstart = await readFile(join(boot, "ks.cfg"), "utf8");
  const treeUrl = installUrl(kickstart);
  if (!treeUrl) throw new Error(`kickstart ${ksUrl} has no 'url --url'`);
  report.installUrl = treeUrl;
  note("kickstart", `${ksUrl} -> url ${treeUrl}`);

  phases.begin("stage2", curlBudget);
  const sources = stage2Urls(entry.append);
  const stage2 = await fetchStage2(ctx, profile, sources.length ? sources : [treeUrl], boot);
  report.stage2 = stage2;
  report.files += 2;
  if (!stage2.checksumOk) report.checksumFailures.push(stage2.url);
  const before = stage2.failed.map((f) => ` after ${f.source} failed (${f.error})`).join("");
  note(
    "stage2",
    `${stage2.url}: ${stage2.bytes} bytes, checksum ${stage2.checksumOk ? "ok" : "BAD"}${before}`,
  );
  // The kernel the client booted is the tree's (what Anaconda needs for its modules).
  // The lab's own check, which no installer makes: fetched patiently, so that a failover
  // cannot fail it where a real client would have gone on.
  await download(ctx, TREE_MANIFEST, joinUrl(stage2.tree, TREE_MANIFEST), join(boot, "sums"));
  const sums = parseManifest(await readFile(join(boot, "sums"), "utf8"));
  report.boot.matchesTree = sums.get(KERNEL_PATH) === (await sha256File(join(boot, "vmlinuz")));

  phases.begin("packages", retryBudget(profile.dnf.retries));
  const root = join(dir, "root");
  const mode = opts.dnf ?? "install";
  let result = await packages(run, root, treeUrl, kickstart, mode);
  while (result.error && profile.dnf.rerun && Date.now() + 1000 < ctx.deadline) {
    ctx.onRetry("dnf", result.exitCode);
    await sleep(1000);
    result = await packages(run, root, treeUrl, kickstart, mode);
  }
  report.dnf = result;
  report.files += result.packages.length;
  if (result.error) throw new Error(`dnf: ${result.error}`);
  if (result.mode === "install") report.checksumFailures.push(...(await verifyInstalled(root)));
  note("packages", `dnf ${result.mode}: ${result.packages.length} packages`);
}

/** One run of dnf: its result, its retries counted and its transfer recorded. */
async function packages(
  run: Run,
  root: string,
  treeUrl: string,
  kickstart: string,
  mode: DnfResult["mode"],
): Promise<DnfResult> {
  const { env, ctx, profile } = run;
  const start = Date.now();
  const { result, bytes } = await runDnf(
    env.client.netns,
    root,
    treeUrl,
    kickstart,
    profile.dnf,
    mode,
    Math.max(5_000, ctx.deadline - Date.now()),
  );
  for (let i = 0; i < result.retries; i++) ctx.onRetry("dnf", 0);
  const address = new URL(treeUrl).hostname;
  const mac = await neighbourMac(env.client.netns, address);
  const server = mac ? env.serversByMac.get(mac) : undefined;
  ctx.transfers.push({
    file: "dnf",
    startMs: start - ctx.t0,
    endMs: Date.now() - ctx.t0,
    bytes,
    address,
    ...(server ? { server } : {}),
    exitCode: result.exitCode,
  });
  return result;
}
