// What pxelinux does after DHCP, as pure functions: the order it asks TFTP for config files,
// and which kernel, initrd and command line the chosen config boots.

/** `pxelinux.cfg/01-<mac>`, then the IP in upper-case hex shortened a digit at a time, then
 *  `default`, all below the boot file's directory (pxelinux's "path prefix"). */
export function pxelinuxSearchOrder(bootFile: string, mac: string, ip: string): string[] {
  const prefix = pathPrefix(bootFile);
  const hex = hexIp(ip);
  const names = [`01-${mac.toLowerCase().replace(/:/g, "-")}`];
  for (let n = hex.length; n >= 1; n--) names.push(hex.slice(0, n));
  names.push("default");
  return names.map((n) => `${prefix}pxelinux.cfg/${n}`);
}

/** An IPv4 address in upper-case hex, as pxelinux and GRUB name per-client files. */
export function hexIp(ip: string): string {
  return ip
    .split(".")
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, "0"))
    .join("");
}

/** The directory part of the boot file name, with its trailing slash ("" at the root). */
export function pathPrefix(bootFile: string): string {
  const i = bootFile.lastIndexOf("/");
  return i < 0 ? "" : bootFile.slice(0, i + 1).replace(/^\/+/, "");
}

/** A path named in a config, as a TFTP path: relative ones are below the path prefix. */
export function tftpPath(bootFile: string, path: string): string {
  return path.startsWith("/") ? path.slice(1) : `${pathPrefix(bootFile)}${path}`;
}

export interface BootEntry {
  label?: string;
  kernel: string;
  append: string;
  initrd?: string;
  /** GRUB's `fallback` entry: booted when this one fails. */
  fallback?: BootEntry;
}

interface Section {
  label?: string;
  kernel?: string;
  append?: string;
  initrd?: string;
}

/** The entry pxelinux boots without a user at the keyboard: DEFAULT's label (or, in the old
 *  syntax, DEFAULT's own kernel and arguments), else the first label with a kernel. */
export function parsePxelinuxConfig(text: string): BootEntry | undefined {
  const global: Section = {};
  const sections: Section[] = [];
  let current = global;
  let defaultValue: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1].toLowerCase();
    const value = (m[2] ?? "").trim();
    if (key === "default") defaultValue = value;
    else if (key === "label") sections.push((current = { label: value }));
    else if (key === "kernel" || key === "linux") current.kernel = value;
    else if (key === "append") current.append = value;
    else if (key === "initrd") current.initrd = value;
  }
  const chosen =
    sections.find((s) => s.label === defaultValue) ??
    (defaultValue && sections.length === 0 && !global.kernel
      ? oldStyleDefault(defaultValue, global)
      : (sections.find((s) => s.kernel) ?? global));
  if (!chosen.kernel) return undefined;
  const append = chosen.append ?? global.append ?? "";
  const initrd = chosen.initrd ?? /(?:^|\s)initrd=(\S+)/.exec(append)?.[1]?.split(",")[0];
  return {
    ...(chosen.label ? { label: chosen.label } : {}),
    kernel: chosen.kernel,
    append,
    ...(initrd ? { initrd } : {}),
  };
}

function oldStyleDefault(value: string, global: Section): Section {
  const [kernel, ...args] = value.split(/\s+/);
  return { ...(kernel ? { kernel } : {}), append: args.join(" ") || global.append || "" };
}

/**
 * Where dracut fetches the kickstart from, in order (Anaconda's dracut
 * parse-anaconda-kickstart.sh): with `inst.ks.all`, every http/https/ftp `inst.ks=`; else the
 * last `inst.ks=` (dracut's getarg), or `ks=` (older). Empty when there is none.
 */
export function kickstartUrls(append: string): string[] {
  const all = [...append.matchAll(/(?:^|\s)(?:inst\.)?ks=(\S+)/g)].map((m) => m[1] ?? "");
  if (!/(?:^|\s)inst\.ks\.all(?:=1)?(?:\s|$)/.test(append)) return all.slice(-1);
  return all.filter((u) => /^(https?|ftp):\/\//.test(u));
}

/**
 * Where dracut fetches stage2 from, in order: every `inst.stage2=` of the command line, else
 * `inst.repo=` (Anaconda's boot options); empty when neither is there (the kickstart's `url`
 * is used then).
 */
export function stage2Urls(append: string): string[] {
  const all = (key: string) =>
    [...append.matchAll(new RegExp(`(?:^|\\s)inst\\.${key}=(\\S+)`, "g"))].map((m) => m[1] ?? "");
  const stage2 = all("stage2");
  return stage2.length > 0 ? stage2 : all("repo");
}
