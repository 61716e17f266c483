// What a Red Hat server needs beyond files and packages, as guarded shell commands for
// playbooks/47-redhat.yaml: the firewalld openings of the cluster's services (only where
// firewalld runs) and SELinux (only where it is enforcing or permissive): contexts restored on
// the TFTP and FTP trees, anonymous-write booleans off. Probes read `firewall-cmd --state`
// ("running", or "not running" with exit 252: firewall-cmd(1)) and `getenforce` (Enforcing,
// Permissive or Disabled: getenforce(8)).
import type { OsLayout } from "../inventory/layout.js";
import type { Inventory } from "../inventory/types.js";
import { quote } from "../transport/quote.js";
import { FTP_PASV_PORTS } from "./services.js";

export interface GuardedCommand {
  /** For the task's name. */
  what: string;
  cmd: string;
  /** Succeeds when nothing is to be done (or the subsystem does not run here). */
  unless: string;
}

type Opening = { kind: "service" | "port" | "protocol"; value: string };

/** firewalld's services (firewalld.service(5) names), ports and protocols the cluster needs. */
export function firewallOpenings(inv: Inventory): Opening[] {
  const out: Opening[] = [
    { kind: "service", value: "dhcp" },
    { kind: "service", value: "tftp" },
    { kind: "service", value: "ftp" },
    // vsftpd's passive data ports (the ftp service's conntrack helper would find them too).
    { kind: "port", value: `${FTP_PASV_PORTS.min}-${FTP_PASV_PORTS.max}/tcp` },
  ];
  if (inv.install.protocol === "http") out.push({ kind: "service", value: "http" });
  // keepalived's adverts are IP protocol 112 (VRRP), unicast to the peers over the LAN.
  if (inv.ha.engine === "keepalived") out.push({ kind: "protocol", value: "vrrp" });
  if (inv.dhcp.server === "kea" && inv.servers.length > 1)
    out.push({ kind: "port", value: `${inv.dhcp.haPort}/tcp` });
  return out;
}

const FIREWALLD_RUNS = "firewall-cmd --state >/dev/null 2>&1";
const SELINUX_ON = `case "$(getenforce 2>/dev/null)" in Enforcing|Permissive) true ;; *) false ;; esac`;

/** Every opening at once: one task, changed when any was missing. */
function combined(what: string, parts: GuardedCommand[]): GuardedCommand {
  return {
    what,
    cmd: parts.map((p) => `{ ${p.unless}; } || { ${p.cmd}; }`).join(" && "),
    unless: parts.map((p) => `{ ${p.unless}; }`).join(" && "),
  };
}

/** Opens each, now and permanently; nothing where firewalld does not run. */
export function firewallCommand(inv: Inventory): GuardedCommand {
  const parts = firewallOpenings(inv).map(({ kind, value }) => {
    const v = quote(value);
    return {
      what: `${kind} ${value}`,
      cmd: `firewall-cmd --permanent --add-${kind}=${v} && firewall-cmd --add-${kind}=${v}`,
      unless: `! ${FIREWALLD_RUNS} || { firewall-cmd --query-${kind}=${v} && firewall-cmd --permanent --query-${kind}=${v}; } >/dev/null 2>&1`,
    };
  });
  return combined(parts.map((p) => p.what).join(", "), parts);
}

/**
 * The booleans that would let anonymous FTP and TFTP clients write (ftpd_selinux(8),
 * tftpd_selinux(8)): the install trees are read-only, so they stay off.
 */
export const ANON_WRITE_BOOLEANS = ["ftpd_anon_write", "tftp_anon_write"] as const;

/** SELinux: the trees' contexts, and the anonymous-write booleans off. */
export function selinuxCommands(layout: OsLayout): {
  contexts: GuardedCommand;
  booleans: GuardedCommand;
} {
  const trees = [layout.tftpRoot, layout.ftpRoot].map((t) => quote(t)).join(" ");
  return {
    contexts: {
      what: `contexts restored on ${layout.tftpRoot} and ${layout.ftpRoot}`,
      cmd: `restorecon -R ${trees}`,
      // restorecon -n -v prints a line for every file it would relabel, nothing when all fit.
      unless: `! { ${SELINUX_ON}; } || [ -z "$(restorecon -R -n -v ${trees})" ]`,
    },
    booleans: combined(
      `${ANON_WRITE_BOOLEANS.join(" and ")} off`,
      ANON_WRITE_BOOLEANS.map((b) => ({
        what: b,
        cmd: `setsebool -P ${b} off`,
        unless: `! { ${SELINUX_ON}; } || getsebool ${b} | grep -q -- '--> off$'`,
      })),
    ),
  };
}

/** The `redhat` variable of playbooks/47-redhat.yaml. */
export function redHatScope(inv: Inventory, layout: OsLayout) {
  return { firewall: firewallCommand(inv), ...selinuxCommands(layout) };
}
