// Injecting the drill's fault on the target and undoing it. Modes: `stop` (the paper's
// `service heartbeat stop`), `crash` (kill -9 of the engine by PID), `poweroff` (the lab kills
// the host), `link` (the LAN link) and `crossover` (the heartbeat link) broken either `down`
// (no carrier) or `drop` (up, every packet dropped): from the lab's switch or the server's
// namespace, or on a real server with a detached timer that restores the link even if ksorch
// loses its connection; `freeze` (lab only: every process of the host stopped, then resumed).
import { InputError, TaskError } from "../errors.js";
import type { Server } from "../inventory/types.js";
import type { HaOps } from "../ha/types.js";
import { EXIT_TIMEOUT, type Transport } from "../transport/types.js";
import { boundedRun } from "./bounded.js";
import type { LabHooks } from "./lab-hooks.js";
import { mustRun } from "./exec.js";
import {
  dropCommand,
  EXIT_NO_IPTABLES,
  hasIptablesCommand,
  linkDownCommand,
  linkUpCommand,
  stampMs,
  undropCommand,
} from "./remote.js";
import { LINK_MODES, type FaultMode, type LinkFault } from "./types.js";
import { sleep } from "../poll.js";

export interface FaultContext {
  mode: FaultMode;
  target: Server;
  ha: HaOps;
  lab?: LabHooks;
  /** The target's connection; replaced after a power cycle. */
  transport: () => Transport;
  reconnect: () => Promise<Transport>;
  /** Seconds after which a real server's link comes back on its own. */
  linkRestoreS: number;
  /** `link` and `crossover`: how the link breaks (default `down`). */
  linkFault?: LinkFault;
}

export interface Injected {
  /** Local clock when the fault was sent: start of the takeover wait. */
  sentAtMs: number;
  /** The fault's time on the target's clock (the lab shares the machine's clock). */
  atMs: Promise<number>;
}

/** What undoing the fault did to the target. */
export interface Undone {
  /** The target booted again (poweroff, or a freeze whose host was fenced): its observers died. */
  rebooted: boolean;
}

/** Rejects modes the setting cannot do, before anything is touched (`lab`: its hooks or name). */
export function checkMode(mode: FaultMode, lab: LabHooks | string | undefined): void {
  if (mode === "poweroff" && !lab) {
    throw new InputError(
      "--mode poweroff needs the local lab; on real servers use stop, crash, link or crossover",
    );
  }
  if (mode === "freeze" && !lab) {
    throw new InputError(
      "--mode freeze needs the local lab: a stopped server cannot be resumed from outside",
    );
  }
}

/**
 * Checks on the target what the fault needs, before the drill starts: `drop` on a real server
 * needs iptables there.
 */
export async function preflightFault(ctx: FaultContext): Promise<void> {
  if (ctx.lab || !LINK_MODES.includes(ctx.mode) || ctx.linkFault !== "drop") return;
  const r = await ctx.transport().run(hasIptablesCommand(), { timeoutMs: 10_000 });
  if (r.exitCode !== 0) {
    throw new TaskError(
      `${ctx.target.name}: --link-fault drop needs iptables on the server, and it has none: install iptables or use --link-fault down`,
    );
  }
}

/** The interface a link mode breaks: the LAN's for `link`, the heartbeat link's for `crossover`. */
export function faultInterface(mode: FaultMode, target: Server): string {
  return mode === "crossover" ? target.heartbeat.interface : target.interface;
}

export function injectFault(ctx: FaultContext): Injected {
  const sentAtMs = Date.now();
  const { lab, target, mode } = ctx;
  const linkMode = LINK_MODES.includes(mode);
  const how = ctx.linkFault ?? "down";
  if (lab && (mode === "poweroff" || mode === "freeze" || linkMode)) {
    const atMs =
      mode === "poweroff"
        ? lab.powerOff(target.name)
        : mode === "freeze"
          ? lab.freeze(target.name)
          : lab.linkDown(target.name, faultInterface(mode, target), how);
    return { sentAtMs, atMs };
  }
  const ifname = faultInterface(mode, target);
  const command =
    mode === "stop"
      ? ctx.ha.stop
      : mode === "crash"
        ? ctx.ha.crash
        : how === "drop"
          ? dropCommand(ifname, ctx.linkRestoreS)
          : linkDownCommand(ifname, ctx.linkRestoreS);
  // Not awaited by the caller before watching: `service heartbeat stop` takes a while, and the
  // takeover may happen during it. A link cut may also cut this very connection: then the
  // command never reports (timeout) or its channel closes without a status (255).
  const atMs = ctx
    .transport()
    .run(command, { timeoutMs: 30_000 })
    .then(
      (r) => {
        const lost = linkMode && (r.exitCode === EXIT_TIMEOUT || r.exitCode === 255);
        if (r.exitCode !== 0 && !lost) {
          const why = linkMode && r.exitCode === EXIT_NO_IPTABLES ? "" : ` (exit ${r.exitCode})`;
          throw new TaskError(`${target.name}: fault ${mode} failed${why}: ${r.stderr.trim()}`);
        }
        return stampMs(r.stdout) ?? sentAtMs;
      },
      (err: unknown) => {
        if (linkMode) return sentAtMs;
        throw err;
      },
    );
  return { sentAtMs, atMs };
}

export async function undoFault(ctx: FaultContext): Promise<Undone> {
  const { lab, target, mode } = ctx;
  if (mode === "poweroff" && lab) {
    // The lab's boot runs the enabled services' start scripts, the HA engine's included.
    await lab.powerOn(target.name);
    await ctx.reconnect();
    return { rebooted: true };
  }
  if (mode === "freeze" && lab) {
    // A fence agent may have powered the frozen host off: then it boots instead.
    const outcome = await lab.thaw(target.name);
    if (outcome === "powered-on") await ctx.reconnect();
    return { rebooted: outcome === "powered-on" };
  }
  if (LINK_MODES.includes(mode)) {
    const ifname = faultInterface(mode, target);
    if (lab) {
      await lab.linkUp(target.name, ifname);
      return { rebooted: false };
    }
    const restore = ctx.linkFault === "drop" ? undropCommand(ifname) : linkUpCommand(ifname);
    // The crossover link rarely carries management: try the open connection first.
    if (mode === "crossover") {
      const r = await boundedRun(ctx.transport(), restore, 10_000);
      if (r.ok && r.result.exitCode === 0) return { rebooted: false };
    }
    await mustRun(await reconnectAfterLinkCut(ctx), restore, "restore the link");
    return { rebooted: false };
  }
  await mustRun(ctx.transport(), ctx.ha.start, `start ${ctx.ha.engine}`);
  return { rebooted: false };
}

/**
 * When management runs over the cut link, the server is unreachable until its own timer
 * restores the link: wait for that once, then connect again.
 */
async function reconnectAfterLinkCut(ctx: FaultContext): Promise<Transport> {
  try {
    return await ctx.reconnect();
  } catch {
    await sleep(ctx.linkRestoreS * 1000);
    return ctx.reconnect();
  }
}
