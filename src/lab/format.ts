// Text for people: a lab's status and a wave's client reports (tools use --json instead).
import { relative } from "node:path";
import { formatTable } from "../cli/output.js";
import type { ClientReport } from "./client/report.js";
import type { LabStatus } from "./status.js";

/** A path as the user would type it from here. */
function shown(file: string | undefined): string {
  if (file === undefined) return "-";
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

export function formatStatus(s: LabStatus): string {
  if (!s.switch) return `lab ${s.name}: not up`;
  const head = [
    `lab ${s.name}: ${s.up ? "up" : "DEGRADED (a server is off)"}`,
    `LAN bridge ${s.switch.lanBridge} in namespace ${s.switch.netns}` +
      (s.switch.hbBridge ? `, heartbeat bridge ${s.switch.hbBridge}` : ""),
    `ssh key ${s.ssh?.key ?? "-"}, known_hosts ${s.ssh?.knownHosts ?? "-"}`,
    `serves ${shown(s.inventory)}; configure it with: ksorch apply ${shown(s.applyWith)}`,
    "",
  ];
  const rows = [...s.servers, ...s.clients].map((h) => [
    h.name,
    h.role,
    h.netns,
    h.mac,
    h.address,
    h.sshPort ? `127.0.0.1:${h.sshPort}` : "-",
    h.initPid ? String(h.initPid) : "-",
    h.running ? "on" : h.role === "server" ? "OFF" : "MISSING",
  ]);
  const table = formatTable(
    ["HOST", "ROLE", "NETNS", "MAC", "ADDRESS", "SSH", "INIT", "STATE"],
    rows,
  );
  return head.join("\n") + table;
}

export function formatReport(r: ClientReport): string {
  const servers = Object.entries(r.bytesByServer)
    .map(([s, b]) => `${s} ${b}`)
    .join(", ");
  const head =
    `${r.client} ${r.verdict.toUpperCase()} in ${r.durationMs} ms: lease ${r.lease?.ip ?? "-"}, ` +
    `config ${r.pxelinux.used ?? "-"}, ${r.files} files, ${r.bytes} bytes (${servers}), ` +
    `${r.retries} retries, dnf ${r.dnf ? `exit ${r.dnf.exitCode}, ${r.dnf.packages.length} packages` : "-"}`;
  return r.error ? `${head}\n  error: ${r.error}` : head;
}
