// The human view of a cluster's health: VIP owners, services per server, problems.
import { formatTable } from "../cli/output.js";
import type { ClusterHealth } from "./health.js";

const yes = (b: boolean | undefined): string => (b === undefined ? "?" : b ? "yes" : "no");

export function formatHealth(h: ClusterHealth): string {
  const vips = formatTable(
    ["VIP", "HOME", "OWNERS"],
    h.vips.map((v) => {
      const flag =
        v.owners.length === 0 ? "  <- no owner" : v.owners.length > 1 ? "  <- two owners" : "";
      return [v.vip, v.home, (v.owners.join(", ") || "none") + flag];
    }),
  );
  const servers = formatTable(
    ["SERVER", "REACHABLE", "HA", "GUARD", "DHCP", "TFTP", "FTP", "LAN", "TREE"],
    h.servers.map((s) => [
      s.name,
      s.reachable ? "yes" : `no (${s.error ?? ""})`,
      yes(s.running?.ha),
      yes(s.running?.guard),
      yes(s.running?.dhcp),
      yes(s.running?.tftp),
      yes(s.running?.ftp),
      s.lanUp === undefined ? "?" : s.lanUp ? "up" : "down",
      s.tree ? `${s.drift} (${s.tree.files} files)` : s.drift,
    ]),
  );
  const problems = h.problems.map((p) => `  - ${p.text}${p.blocking ? " (blocks a drill)" : ""}`);
  const summary = h.healthy ? "healthy" : `not healthy: ${h.problems.length} problem(s)`;
  return [
    vips,
    "",
    servers,
    "",
    ...(problems.length ? ["problems:", ...problems, ""] : []),
    summary,
  ].join("\n");
}
