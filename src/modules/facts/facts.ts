// Facts: what the engine needs to know about a host, gathered in ONE command (a round trip is
// ~9 ms, gathering fact by fact would cost more than the whole no-op run) and parsed purely.
import type { OsFamily } from "../../inventory/types.js";
import type { Transport } from "../../transport/types.js";

export type PackageManager = "apt" | "dnf" | "yum";
export type InitSystem = "systemd" | "sysv";

export interface InterfaceAddress {
  interface: string;
  family: "inet" | "inet6";
  address: string;
  prefixLength: number;
}

export interface Facts {
  hostname: string;
  os: { family: OsFamily | "unknown"; id: string; versionId: string; prettyName: string };
  packageManager: PackageManager | null;
  initSystem: InitSystem;
  /** Which SysV helpers exist (they are chosen per task when the init system is not systemd). */
  tools: { service: boolean; updateRcD: boolean; chkconfig: boolean; systemctl: boolean };
  addresses: InterfaceAddress[];
  uid: number;
}

const SEP = "@@ksorch-facts@@";
const TOOLS = [
  "apt-get",
  "dnf",
  "yum",
  "systemctl",
  "service",
  "update-rc.d",
  "chkconfig",
] as const;

export const FACTS_COMMAND = [
  "cat /etc/os-release 2>/dev/null",
  `echo ${SEP}`,
  `for c in ${TOOLS.join(" ")}; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done`,
  `echo ${SEP}`,
  "cat /proc/1/comm 2>/dev/null",
  `echo ${SEP}`,
  "ip -o addr show 2>/dev/null",
  `echo ${SEP}`,
  "uname -n",
  `echo ${SEP}`,
  "id -u",
].join("; ");

function osRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].replace(/^["']|["']$/g, "");
  }
  return out;
}

function family(rel: Record<string, string>): Facts["os"]["family"] {
  const ids = [rel.ID ?? "", ...(rel.ID_LIKE ?? "").split(/\s+/)];
  if (ids.some((id) => ["debian", "ubuntu"].includes(id))) return "debian";
  if (ids.some((id) => ["rhel", "fedora", "centos"].includes(id))) return "rhel";
  return "unknown";
}

/** `ip -o addr show` lines: `2: eth0    inet 192.168.0.1/24 brd ... scope global eth0\ ...` */
export function parseAddresses(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of text.split("\n")) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(.*)$/.exec(line.trim());
    if (!m?.[1] || !m[2] || !m[3] || !m[4]) continue;
    // Aliases such as heartbeat's `eth0:0` are labels at the end of the line; the device is m[1].
    out.push({
      interface: m[1],
      family: m[2] as "inet" | "inet6",
      address: m[3],
      prefixLength: Number(m[4]),
    });
  }
  return out;
}

export function parseFacts(stdout: string): Facts {
  const [rel = "", tools = "", pid1 = "", addrs = "", hostname = "", uid = ""] = stdout.split(
    `${SEP}\n`,
  );
  const r = osRelease(rel);
  const has = new Set(tools.split("\n").filter(Boolean));
  const systemd = pid1.trim() === "systemd" && has.has("systemctl");
  return {
    hostname: hostname.trim(),
    os: {
      family: family(r),
      id: r.ID ?? "",
      versionId: r.VERSION_ID ?? "",
      prettyName: r.PRETTY_NAME ?? "",
    },
    packageManager: has.has("apt-get")
      ? "apt"
      : has.has("dnf")
        ? "dnf"
        : has.has("yum")
          ? "yum"
          : null,
    initSystem: systemd ? "systemd" : "sysv",
    tools: {
      service: has.has("service"),
      updateRcD: has.has("update-rc.d"),
      chkconfig: has.has("chkconfig"),
      systemctl: has.has("systemctl"),
    },
    addresses: parseAddresses(addrs),
    uid: Number(uid.trim()),
  };
}

export async function gatherFacts(t: Transport): Promise<Facts> {
  const r = await t.run(FACTS_COMMAND);
  if (r.exitCode !== 0 && r.stdout === "") {
    throw new Error(`gathering facts failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  return parseFacts(r.stdout);
}
