// package: installs or removes OS packages with the host's own package manager (from facts).
// Installs use only what the package cache holds when the host is offline: apt-get without
// recommends, non-interactive, so the lab's cached .debs are enough.
import { z } from "zod";
import type { Facts } from "../facts/facts.js";
import { raw, sh } from "../../transport/quote.js";
import { change, command, defineModule, noop } from "../types.js";

const args = z.strictObject({
  /** Package names, e.g. ["isc-dhcp-server", "tftpd-hpa"]. */
  names: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, { error: "not a package name" }))
    .min(1),
  /** present (default) installs what is missing; absent removes what is installed. */
  state: z.enum(["present", "absent"]).default("present"),
  /**
   * false: Debian package scripts may not start daemons while installing (a policy-rc.d that
   * exits 101, removed again afterwards). The daemons then start later, from service tasks,
   * with their final configuration; vsftpd's default one cannot even start in the lab.
   */
  start_services: z.boolean().default(true),
});

function manager(facts: Facts): NonNullable<Facts["packageManager"]> {
  if (!facts.packageManager)
    throw new Error("no supported package manager (apt-get, dnf, yum) on this host");
  return facts.packageManager;
}

/** One query for all names; prints the names that are installed, one a line. */
export function queryCommand(pm: NonNullable<Facts["packageManager"]>, names: string[]): string {
  if (pm === "apt") {
    return sh`dpkg-query -W -f=${"${db:Status-Abbrev}\t${Package}\n"} -- ${names} 2>/dev/null | awk ${'$1 == "ii" { print $2 }'}; true`;
  }
  return sh`rpm -q --qf ${"%{NAME}\n"} -- ${names} 2>/dev/null | grep -v ${"is not installed"}; true`;
}

const POLICY = "/usr/sbin/policy-rc.d";

/** Runs `cmd` with service starts denied, unless the host already has its own policy-rc.d. */
function withoutStarts(cmd: string): string {
  return sh`if [ -e ${POLICY} ]; then ${raw(cmd)}; else printf ${"#!/bin/sh\nexit 101\n"} > ${POLICY} && chmod 755 ${POLICY} && { ${raw(cmd)}; rc=$?; rm -f ${POLICY}; exit $rc; }; fi`;
}

export function changeCommand(
  pm: NonNullable<Facts["packageManager"]>,
  state: "present" | "absent",
  names: string[],
  startServices = true,
): string {
  if (pm === "apt") {
    const cmd =
      state === "present"
        ? sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -- ${names}`
        : sh`DEBIAN_FRONTEND=noninteractive apt-get remove -y -q -- ${names}`;
    return startServices ? cmd : withoutStarts(cmd);
  }
  return sh`${pm} ${state === "present" ? "install" : "remove"} -y -q -- ${names}`;
}

export const packageModule = defineModule({
  name: "package",
  description: "Install or remove OS packages with apt-get, dnf or yum (chosen from facts)",
  args,
  async plan(a, host) {
    const pm = manager(host.facts);
    const r = await host.transport.run(queryCommand(pm, a.names));
    const installed = new Set(r.stdout.split("\n").map((s) => s.trim()));
    const todo = a.names.filter((n) =>
      a.state === "present" ? !installed.has(n) : installed.has(n),
    );
    if (todo.length === 0)
      return noop(
        `${a.names.join(", ")} ${a.state === "present" ? "already installed" : "not installed"}`,
      );
    const verb = a.state === "present" ? "install" : "remove";
    return change(`${verb} ${todo.join(", ")}`, [
      command(`${verb} ${todo.join(" ")}`, changeCommand(pm, a.state, todo, a.start_services)),
    ]);
  },
});
