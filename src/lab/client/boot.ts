// The firmware's half of an install: DHCP with the PXE ROM's schedule, then TFTP for the boot
// file (the ROM), the boot loader's config in its search order and the kernel and initrd
// (pxelinux, or GRUB on UEFI), each with its own budget (./profile.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { requestLease } from "./dhcp.js";
import { tftpGet, TFTP_NOT_FOUND, TFTP_PERMANENT, type FetchContext } from "./fetch.js";
import { grubConfigfileFor, grubDevicePath, parseGrubConfig, uefiChain } from "./grub.js";
import type { ClientEnv } from "./install.js";
import { tftpBudgetS, type ClientProfile, type TftpBudget } from "./profile.js";
import { parsePxelinuxConfig, pxelinuxSearchOrder, tftpPath, type BootEntry } from "./pxelinux.js";
import type { ClientReport, Lease, TimelineEvent } from "./report.js";

export type Note = (event: TimelineEvent["event"], detail: string) => void;

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

/** The patient client's TFTP gives a stalled file up after 2 s and asks for it again. */
const PATIENT_STALL_S = 2;

/** A boot loader's fatal error after which the PC reboots (pxelinux's kaboom). */
export class Reboot extends Error {
  constructor(
    message: string,
    /** Seconds until the reset. */
    readonly afterS: number,
  ) {
    super(message);
  }
}

/**
 * One file over TFTP with `budget`: a request nobody answers is sent again after each of its
 * timeouts; a file cut halfway is given up (a real loader waits out its timeouts first), or
 * asked for again from byte 0 when the budget says so. Returns curl's last exit code, and
 * whether the file was cut halfway.
 */
export async function tftpFile(
  ctx: FetchContext,
  budget: TftpBudget,
  server: string,
  path: string,
  dest: string,
): Promise<{ code: number; cut: boolean }> {
  const patient = budget.openTimeoutsS.length === 0;
  const totalS = tftpBudgetS(budget);
  const first = Date.now();
  const leftS = () => totalS - (Date.now() - first) / 1000;
  for (let i = 0; ; i++) {
    const started = Date.now();
    const stallS = patient ? PATIENT_STALL_S : leftS();
    const r = await tftpGet(ctx, server, path, dest, stallS, budget.blksize);
    const code = r.exitCode;
    if (code === 0 || code === TFTP_NOT_FOUND || TFTP_PERMANENT.has(code))
      return { code, cut: false };
    if (r.bytes > 0 && !budget.restartsCutFile) return { code, cut: true };
    const spent = patient
      ? Date.now() > ctx.deadline
      : i >= budget.openTimeoutsS.length - 1 || leftS() <= 0;
    if (spent) return { code, cut: false };
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
  const must = async (
    budget: TftpBudget,
    path: string,
    dest: string,
    server = lease.siaddr,
  ): Promise<void> => {
    const { code, cut } = await tftpFile(ctx, budget, server, path, dest);
    if (code === 0) return note("tftp", server === lease.siaddr ? path : `${server}:${path}`);
    const failure = `tftp ${server}:${path}: curl exit ${code}`;
    // tftpGet gave the file up after the loader's own wait for its next packet (for pxelinux
    // the same TimeoutTable, 131 s, as for an answer to its request).
    if (cut && budget.rebootAfterCutS !== undefined)
      throw new Reboot(
        `${failure}, cut halfway: ${budget.who} failed, the PC reboots`,
        lease.rebootS ?? budget.rebootAfterCutS,
      );
    throw new Error(`${failure} (${budget.who} gave up)`);
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
    const { code } = await tftpFile(ctx, budget, lease.siaddr, path, join(boot, "loader.cfg"));
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
  const load = async (e: BootEntry): Promise<BootEntry> => {
    const files = [[e.kernel, "vmlinuz"], ...(e.initrd ? [[e.initrd, "initrd.img"]] : [])];
    for (const [file = "", dest = ""] of files) {
      const { server, path } = grubDevicePath(file, lease.siaddr);
      await must(budget, tftpPath(lease.bootFile, path), join(boot, dest), server);
    }
    return e;
  };
  try {
    return await load(entry);
  } catch (err) {
    if (!entry.fallback) throw err;
    const why = err instanceof Error ? err.message : String(err);
    note(
      "config",
      `"${entry.label}" failed (${why}): GRUB falls back to "${entry.fallback.label}"`,
    );
    report.fallbacks = (report.fallbacks ?? 0) + 1;
    return await load(entry.fallback);
  }
}
