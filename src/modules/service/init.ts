// How to drive services on each init system: one read command that reports running and
// enabled, and the commands that change them. Chosen from facts, pure.
import type { Facts } from "../facts/facts.js";
import { quote, raw, sh } from "../../transport/quote.js";

export interface InitDriver {
  /** Prints `running=<exit code of the status check>`. */
  running(name: string): string;
  /** Prints `enabled=<count of boot links or units>`. */
  enabled(name: string): string;
  start(name: string): string;
  stop(name: string): string;
  restart(name: string): string;
  enable(name: string): string;
  disable(name: string): string;
}

const systemd: InitDriver = {
  running: (n) => sh`systemctl is-active --quiet ${n}; echo running=$?`,
  enabled: (n) =>
    sh`systemctl is-enabled --quiet ${n} 2>/dev/null && echo enabled=1 || echo enabled=0`,
  start: (n) => sh`systemctl start ${n}`,
  stop: (n) => sh`systemctl stop ${n}`,
  restart: (n) => sh`systemctl restart ${n}`,
  enable: (n) => sh`systemctl enable ${n}`,
  disable: (n) => sh`systemctl disable ${n}`,
};

/**
 * Counts the start links of `name` in runlevels 2, 3 and 5 below `etc`, with the shell's own
 * globs and tests: no process started (ls | grep was two for every service task).
 */
export function bootLinks(name: string, etc = "/etc"): string {
  const links = ["2", "3", "5"].map((l) =>
    raw(`${quote(`${etc}/rc${l}.d`)}/S[0-9][0-9]${quote(name)}`),
  );
  return sh`n=0; for f in ${links}; do if [ -e "$f" ] || [ -L "$f" ]; then n=$((n + 1)); fi; done; echo enabled=$n`;
}

/** SysV init scripts through service(8); Debian's boot links through update-rc.d. */
const debianSysv: InitDriver = {
  running: (n) => sh`service ${n} status >/dev/null 2>&1; echo running=$?`,
  enabled: (n) => bootLinks(n),
  start: (n) => sh`service ${n} start`,
  stop: (n) => sh`service ${n} stop`,
  restart: (n) => sh`service ${n} restart`,
  // `defaults` makes the links when the package left none; `enable` turns K links back to S.
  enable: (n) => sh`update-rc.d ${n} defaults >/dev/null && update-rc.d ${n} enable`,
  disable: (n) => sh`update-rc.d ${n} disable`,
};

/** Red Hat before systemd: chkconfig. */
const rhelSysv: InitDriver = {
  ...debianSysv,
  enabled: (n) => sh`echo enabled=$(chkconfig --list ${n} 2>/dev/null | grep -c ${"[2345]:on"})`,
  enable: (n) => sh`chkconfig ${n} on`,
  disable: (n) => sh`chkconfig ${n} off`,
};

export function initDriver(facts: Facts): InitDriver {
  if (facts.initSystem === "systemd") return systemd;
  if (facts.tools.updateRcD) return debianSysv;
  if (facts.tools.chkconfig) return rhelSysv;
  throw new Error("no way to manage services here: neither systemd, update-rc.d nor chkconfig");
}

/** Exit code 0 of the status check means running; any boot link or enabled unit, enabled. */
export function parseQuery(stdout: string): { running: boolean; enabled: boolean } {
  const running = /running=(\d+)/.exec(stdout)?.[1];
  const enabled = /enabled=(\d+)/.exec(stdout)?.[1];
  return { running: running === "0", enabled: Number(enabled) > 0 };
}
