// A small structural check of kickstart files, standing in for pykickstart's ksvalidator
// (not packaged for Debian 12): every line is a known command of the target, the commands an
// unattended install needs are present, %packages is closed, and removed commands are absent.

/** Commands pykickstart knows for RHEL 9 that these files may use. */
const RHEL9_COMMANDS = new Set([
  "autopart",
  "bootloader",
  "clearpart",
  "cmdline",
  "eula",
  "firewall",
  "firstboot",
  "graphical",
  "ignoredisk",
  "keyboard",
  "lang",
  "logvol",
  "network",
  "part",
  "poweroff",
  "reboot",
  "repo",
  "rootpw",
  "selinux",
  "services",
  "shutdown",
  "skipx",
  "sshkey",
  "text",
  "timezone",
  "url",
  "user",
  "volgroup",
  "zerombr",
  "authselect",
  "timesource",
]);
/** Removed before RHEL 9: anaconda rejects them. */
const REMOVED_IN_RHEL9 = [
  "install",
  "auth",
  "authconfig",
  "upgrade",
  "langsupport",
  "mouse",
  "key",
  "lilo",
];
const REQUIRED = [
  "url",
  "lang",
  "keyboard",
  "timezone",
  "rootpw",
  "bootloader",
  "clearpart",
  "reboot",
];

export interface KickstartLint {
  commands: string[];
  problems: string[];
}

export function lintKickstart(text: string, target: "rhel9" | "legacy"): KickstartLint {
  const problems: string[] = [];
  const commands: string[] = [];
  let section: string | undefined;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("%")) {
      const word = line.split(/\s+/)[0] ?? "";
      if (word === "%end") {
        if (!section) problems.push(`line ${i + 1}: %end without a section`);
        section = undefined;
      } else if (section) problems.push(`line ${i + 1}: ${word} inside ${section}`);
      else section = word;
      continue;
    }
    if (section) continue;
    const cmd = line.split(/\s+/)[0] ?? "";
    commands.push(cmd);
    if (target === "rhel9" && !RHEL9_COMMANDS.has(cmd))
      problems.push(`line ${i + 1}: unknown command ${cmd}`);
    if (target === "rhel9" && REMOVED_IN_RHEL9.includes(cmd))
      problems.push(`line ${i + 1}: ${cmd} was removed`);
  }
  if (section) problems.push(`${section} is not closed by %end`);
  if (!/^%packages\b/m.test(text)) problems.push("no %packages section");
  for (const r of REQUIRED) if (!commands.includes(r)) problems.push(`missing ${r}`);
  if (!commands.includes("autopart") && !commands.includes("part"))
    problems.push("no partitioning");
  const dupes = commands.filter(
    (c, i) => c !== "part" && c !== "network" && commands.indexOf(c) !== i,
  );
  for (const d of dupes) problems.push(`${d} given twice`);
  return { commands, problems };
}
