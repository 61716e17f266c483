// Injecting the drill's fault on the target and undoing it. Modes: `stop` (the paper's
// `service heartbeat stop`), `crash` (kill -9 of the engine by PID), `poweroff` (the lab kills
// the host), `link` (the LAN link goes down: from the lab's switch, or on a real server with a
// detached timer on the server that brings the link back even if ksorch loses its connection).
import { InputError, TaskError } from "../errors.js";
import type { Server } from "../inventory/types.js";
import type { HaOps } from "../ha/types.js";
import type { Transport } from "../transport/types.js";
import type { LabHooks } from "./lab-hooks.js";
import { mustRun } from "./exec.js";
import { linkDownCommand, linkUpCommand, stampMs } from "./remote.js";
import type { FaultMode } from "./types.js";
import { sleep } from "./wait.js";

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
}

export interface Injected {
  /** Local clock when the fault was sent: start of the takeover wait. */
  sentAtMs: number;
  /** The fault's time on the target's clock (the lab shares the machine's clock). */
  atMs: Promise<number>;
}

/** Rejects modes the setting cannot do, before anything is touched. */
export function checkMode(mode: FaultMode, lab: LabHooks | undefined): void {
  if (mode === "poweroff" && !lab) {
    throw new InputError(
      "--mode poweroff needs the local lab; on real servers use stop, crash or link",
    );
  }
}

export function injectFault(ctx: FaultContext): Injected {
  const sentAtMs = Date.now();
  const { lab, target } = ctx;
  if (lab && (ctx.mode === "poweroff" || ctx.mode === "link")) {
    const atMs = ctx.mode === "poweroff" ? lab.powerOff(target.name) : lab.linkDown(target.name);
    return { sentAtMs, atMs };
  }
  const command =
    ctx.mode === "stop"
      ? ctx.ha.stop
      : ctx.mode === "crash"
        ? ctx.ha.crash
        : linkDownCommand(target.interface, ctx.linkRestoreS);
  // Not awaited by the caller before watching: `service heartbeat stop` takes a while, and the
  // takeover may happen during it. A link cut may also cut this very connection.
  const atMs = ctx
    .transport()
    .run(command, { timeoutMs: 30_000 })
    .then(
      (r) => {
        if (r.exitCode !== 0 && ctx.mode !== "link") {
          throw new TaskError(
            `${target.name}: fault ${ctx.mode} failed (exit ${r.exitCode}): ${r.stderr.trim()}`,
          );
        }
        return stampMs(r.stdout) ?? sentAtMs;
      },
      (err: unknown) => {
        if (ctx.mode === "link") return sentAtMs;
        throw err;
      },
    );
  return { sentAtMs, atMs };
}

export async function undoFault(ctx: FaultContext): Promise<void> {
  const { lab, target } = ctx;
  if (ctx.mode === "poweroff" && lab) {
    // The lab's boot runs the enabled services' start scripts, the HA engine's included.
    await lab.powerOn(target.name);
    await ctx.reconnect();
    return;
  }
  if (ctx.mode === "link") {
    if (lab) await lab.linkUp(target.name);
    else
      await mustRun(
        await reconnectAfterLinkCut(ctx),
        linkUpCommand(target.interface),
        "bring the link up",
      );
    return;
  }
  await mustRun(ctx.transport(), ctx.ha.start, `start ${ctx.ha.engine}`);
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
