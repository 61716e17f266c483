// The firmware's half of an install: DHCP with the PXE ROM's schedule, then TFTP for the boot
// file (the ROM), the boot loader's config in its search order and the kernel and initrd
// (pxelinux, or GRUB on UEFI), each with its own budget (./profile.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requestLease } from "./dhcp.js";
import { tftpGet, TFTP_NOT_FOUND, TFTP_PERMANENT, type FetchContext } from "./fetch.js";
import { grubConfigfileFor, parseGrubConfig, uefiChain } from "./grub.js";
import type { ClientEnv } from "./install.js";
import { tftpBudgetS, type ClientProfile, type TftpBudget } from "./profile.js";
import { parsePxelinuxConfig, pxelinuxSearchOrder, tftpPath, type BootEntry } from "./pxelinux.js";
import type { ClientReport, Lease, TimelineEvent } from "./report.js";

export type Note = (event: TimelineEvent["event"], detail: string) => void;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** DISCOVERs on the profile's schedule until a lease comes, or the schedule ends. */
export async function dhcpPhase(
  env: ClientEnv,
  ctx: FetchContext,
  profile: ClientProfile,
  note: Note,
): Promise<Lease> {
  const { client } = env;
  note("dhcp", `DISCOVER from ${client.mac}`);
  for (let i = 0; ; i++) {
    const waitS = profile.dhcpTimeoutsS[Math.min(i, profile.dhcpTimeoutsS.length - 1)] ?? 1;
    const lease = await requestLease(client.netns, env.dhcpScript, env.firmware, waitS);
    if (lease) return lease;
    const last = profile.dhcpForever
      ? Date.now() > ctx.deadline
      : i >= profile.dhcpTimeoutsS.length - 1;
    if (last) throw new Error(`dhcp: no lease after ${i + 1} discovers`);
    ctx.onRetry("dhcp", 0);
  }
}

/**
 * One file over TFTP with `budget`: a request nobody answers is sent again after each of its
 * timeouts; a file cut halfway is given up (a real loader waits out its timeouts first), or
 * asked for again from byte 0 when the budget says so. Returns curl's last exit code.
 */
export async function tftpFile(
  ctx: FetchContext,
  budget: TftpBudget,
  server: string,
  path: string,
  dest: string,
): Promise<number> {
  const patient = budget.openTimeoutsS.length === 0;
  for (let i = 0; ; i++) {
    const started = Date.now();
    const r = await tftpGet(ctx, server, path, dest);
    const code = r.exitCode;
    if (code === 0 || code === TFTP_NOT_FOUND || TFTP_PERMANENT.has(code)) return code;
    if (r.bytes > 0 && !budget.restartsCutFile) return code;
    if (patient ? Date.now() > ctx.deadline : i >= budget.openTimeoutsS.length - 1) return code;
    ctx.onRetry(`tftp:${path}`, code);
    // The request went unanswered for this try's timeout (at least 200 ms between attempts).
    const waitMs = patient ? 200 : (budget.openTimeoutsS[i] ?? 0) * 1000;
    await sleep(Math.max(200, waitMs - (Date.now() - started)));
  }
}

/** The boot loader each firmware kind runs: where it looks for its config, and how it reads it. */
interface Loader {
  name: string;
  budget: (p: ClientProfile) => TftpBudget;
  /** The chain's programs after the boot file (shim's GRUB), then the configs in search order. */
  chain: (bootFile: string, mac: string, ip: string) => { secondStage?: string; configs: string[] };
  parse: (text: string) => BootEntry | undefined;
  /** A config that hands this client on to another file (GRUB's `configfile`). */
  handOff?: (text: string, ip: string) => string | undefined;
}
const PXELINUX: Loader = {
  name: "pxelinux",
  budget: (p) => p.pxelinux,
  chain: (bootFile, mac, ip) => ({ configs: pxelinuxSearchOrder(bootFile, mac, ip) }),
  parse: parsePxelinuxConfig,
};
const GRUB: Loader = {
  name: "grub",
  budget: (p) => p.grub,
  chain: uefiChain,
  parse: parseGrubConfig,
  handOff: grubConfigfileFor,
};

/** Retries one TFTP file may use in `budget` (undefined: unlimited). */
export const tftpRetryBudget = (b: TftpBudget): number | undefined =>
  Number.isFinite(tftpBudgetS(b)) ? b.openTimeoutsS.length - 1 : undefined;

/** Boot file, config, kernel and initrd; the kernel's command line in the report. */
export async function tftpPhase(
  env: ClientEnv,
  ctx: FetchContext,
  profile: ClientProfile,
  report: ClientReport,
  lease: Lease,
  note: Note,
): Promise<BootEntry> {
  const { client, dir } = env;
  const boot = join(dir, "boot");
  const loader = env.firmware === "uefi" ? GRUB : PXELINUX;
  const must = async (budget: TftpBudget, path: string, dest: string): Promise<void> => {
    const code = await tftpFile(ctx, budget, lease.siaddr, path, dest);
    if (code !== 0)
      throw new Error(`tftp ${lease.siaddr}:${path}: curl exit ${code} (${budget.who} gave up)`);
    note("tftp", path);
  };
  await must(profile.rom, lease.bootFile, join(boot, "bootfile"));

  const budget = loader.budget(profile);
  const { secondStage, configs } = loader.chain(lease.bootFile, client.mac, lease.ip);
  report.loaders = [lease.bootFile];
  if (secondStage) {
    // shim fetches GRUB as the ROM fetched shim (its netboot.c uses the firmware's TFTP).
    await must(profile.rom, secondStage, join(boot, "loader"));
    report.loaders.push(secondStage);
  }
  let config: string | undefined;
  for (const path of configs) {
    report.pxelinux.tried.push(path);
    const code = await tftpFile(ctx, budget, lease.siaddr, path, join(boot, "loader.cfg"));
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
    await must(budget, path, join(boot, "loader.cfg"));
    report.pxelinux.used = path;
    config = await readFile(join(boot, "loader.cfg"), "utf8");
  }
  note("config", report.pxelinux.used ?? "");
  const entry = loader.parse(config);
  if (!entry) throw new Error(`${loader.name}: no kernel in ${report.pxelinux.used}`);
  await must(budget, tftpPath(lease.bootFile, entry.kernel), join(boot, "vmlinuz"));
  if (entry.initrd)
    await must(budget, tftpPath(lease.bootFile, entry.initrd), join(boot, "initrd.img"));
  return entry;
}
