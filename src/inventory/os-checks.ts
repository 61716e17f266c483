// What each OS release can run, checked twice: against the inventory (validate time: an engine
// or DHCP server the named release does not package) and against a host's facts (apply time,
// before anything changes: the host runs another family or release than the inventory says).
import type { Facts } from "../modules/facts/facts.js";
import type { Problem } from "./problems.js";
import { RHEL_RELEASES, type Inventory, type RhelRelease, type Server } from "./types.js";

/** `rhel9`, or `rhel` when the inventory leaves the release to the host. */
export function osName(s: Pick<Server, "os" | "release">): string {
  return s.os === "rhel" && s.release ? `rhel${s.release}` : s.os;
}

function listed(servers: Server[]): string {
  return servers.map((s) => `${s.name} (${osName(s)})`).join(", ");
}

/**
 * heartbeat left Red Hat with RHEL 7 (it is in no RHEL 8, 9 or 10 repository, nor EPEL for
 * them); ISC's dhcp-server is gone from RHEL 10, which ships Kea (EL 10 release notes).
 */
export function checkOsReleases(inv: Inventory): Problem[] {
  const out: Problem[] = [];
  const redHat = inv.servers.filter((s) => s.os === "rhel");
  if (inv.ha.engine === "heartbeat" && redHat.length > 0) {
    out.push({
      path: ["ha", "engine"],
      message: `heartbeat is not packaged for RHEL, Rocky or Alma 8, 9 or 10: ${listed(redHat)}`,
      hint: "engine: keepalived (packaged on every release)",
    });
  }
  const rhel10 = redHat.filter((s) => s.release === 10);
  if (inv.dhcp.server === "isc" && rhel10.length > 0) {
    out.push({
      path: ["dhcp", "server"],
      message: `RHEL 10 ships no ISC dhcp-server: ${listed(rhel10)}`,
      hint: "server: kea",
    });
  }
  return out;
}

/** The host's major release, when it is one of the Red Hat releases ksorch knows. */
function rhelRelease(versionId: string): RhelRelease | undefined {
  const major = Number(/^(\d+)/.exec(versionId)?.[1]);
  return RHEL_RELEASES.find((r) => r === major);
}

/** Why this host's facts do not fit its inventory entry, or undefined when they do. */
export function hostOsMismatch(
  inv: Inventory,
  server: Server,
  os: Facts["os"],
): string | undefined {
  const runs = `the host runs ${os.prettyName || "an unknown OS"} (${os.family}${os.versionId ? ` ${os.versionId}` : ""})`;
  if (os.family !== server.os) return `the inventory says os: ${osName(server)}, ${runs}`;
  if (server.os !== "rhel") return undefined;
  const release = rhelRelease(os.versionId);
  if (!release)
    return `${runs}: ksorch knows Red Hat releases ${RHEL_RELEASES.join(", ")} (RHEL, Rocky, Alma)`;
  if (server.release !== undefined && server.release !== release)
    return `the inventory says os: ${osName(server)}, ${runs}`;
  if (release === 10 && inv.dhcp.server === "isc")
    return `${runs}, which ships no ISC dhcp-server: set dhcp.server: kea (or os: rhel10)`;
  return undefined;
}
