// What shim and GRUB do after DHCP on x64 UEFI firmware, as pure functions: which second stage
// shim loads, the order GRUB's network image asks TFTP for config files, and which kernel,
// initrd and command line the chosen config boots. The BIOS counterpart is ./pxelinux.ts.
import { hexIp, pathPrefix, type BootEntry } from "./pxelinux.js";

/** The client system architecture (DHCP option 93) each firmware kind sends. */
export type Firmware = "bios" | "uefi";
export const CLIENT_ARCH: Record<Firmware, number> = { bios: 0, uefi: 7 };

/**
 * GRUB's netboot search (grub_net_search_config_file, GRUB 2.04+): `grub.cfg-01-<mac>`, then
 * `grub.cfg-<HEX-IP>` shortened a digit at a time, then `grub.cfg`, all in its prefix. ksorch
 * builds the image with the prefix set to the boot file's own folder (bootFiles().grubPrefix).
 */
export function grubSearchOrder(bootFile: string, mac: string, ip: string): string[] {
  const hex = hexIp(ip);
  const names = [`grub.cfg-01-${mac.toLowerCase().replace(/:/g, "-")}`];
  for (let n = hex.length; n >= 1; n--) names.push(`grub.cfg-${hex.slice(0, n)}`);
  names.push("grub.cfg");
  return names.map((n) => `${pathPrefix(bootFile)}${n}`);
}

/**
 * The GRUB a UEFI boot file leads to. A boot file named shimx64.efi is signed shim, which
 * loads `grubx64.efi` from its own folder (shim's netboot.c, parseDhcp4(): DEFAULT_LOADER
 * in the boot file's folder). The lab's servers are Debian: that GRUB is Debian's signed
 * network image, whose built-in prefix is /grub. Its built-in config sources
 * $prefix/x86_64-efi/grub.cfg if `test -e` finds it, else $prefix/grub.cfg (grub2 2.06-13,
 * debian/build-efi-images); over TFTP that test asks the server nothing and fails (GRUB's
 * network filesystem lists no folder), so the one file read is $prefix/grub.cfg: what real
 * OVMF firmware asks for on the wire in test/integration/secure-boot.test.ts. Any other boot
 * file is a GRUB image of its own, searching as grubSearchOrder says.
 */
export function uefiChain(
  bootFile: string,
  mac: string,
  ip: string,
): { secondStage?: string; configs: string[] } {
  if (bootFile.split("/").pop() !== "shimx64.efi")
    return { configs: grubSearchOrder(bootFile, mac, ip) };
  return {
    secondStage: `${pathPrefix(bootFile)}grubx64.efi`,
    configs: ["grub/grub.cfg"],
  };
}

/**
 * The file a grub.cfg hands a client with address `ip` to before its own menu, through a line
 * `if [ "$net_default_ip" = "<ip>" ]; then configfile <path>; fi` (the form ksorch writes;
 * GRUB runs the first that matches). Undefined when none matches.
 */
export function grubConfigfileFor(text: string, ip: string): string | undefined {
  for (const raw of text.split("\n")) {
    const m = /^if \[ "\$net_default_ip" = "([\d.]+)" \]; then configfile (\S+); fi$/.exec(
      raw.trim(),
    );
    if (m?.[1] === ip) return m[2];
  }
  return undefined;
}

interface MenuEntry {
  title: string;
  kernel?: string;
  args?: string;
  initrd?: string;
}

/**
 * The entry GRUB boots with `timeout=0`: number `default` (0 when unset) of the menu, with
 * entry number `fallback`, if set, as the one GRUB boots when it fails (grub-core/normal/
 * menu.c, grub_menu_execute_with_fallback).
 */
export function parseGrubConfig(text: string): BootEntry | undefined {
  const entries: MenuEntry[] = [];
  let current: MenuEntry | undefined;
  let chosen = 0;
  let fallback: number | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)#.*/, "").trim();
    const menu = /^menuentry\s+(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(line);
    if (menu) entries.push((current = { title: menu[1] ?? menu[2] ?? menu[3] ?? "" }));
    else if (line === "}") current = undefined;
    else if (!current) {
      const d = /^set\s+(default|fallback)=["']?(\d+)["']?$/.exec(line);
      if (d?.[1] === "default") chosen = Number(d[2]);
      else if (d?.[1] === "fallback") fallback = Number(d[2]);
    } else {
      const m = /^(linux|linuxefi|initrd|initrdefi)\s+(\S+)\s*(.*)$/.exec(line);
      if (m?.[1]?.startsWith("linux")) Object.assign(current, { kernel: m[2], args: m[3] });
      else if (m?.[1]?.startsWith("initrd")) current.initrd = m[2];
    }
  }
  const boot = (entry: MenuEntry | undefined): BootEntry | undefined =>
    entry?.kernel
      ? {
          label: entry.title,
          kernel: entry.kernel,
          append: entry.args ?? "",
          ...(entry.initrd ? { initrd: entry.initrd } : {}),
        }
      : undefined;
  const entry = boot(entries[chosen]);
  const other = fallback !== undefined && fallback !== chosen ? boot(entries[fallback]) : undefined;
  return entry && other ? { ...entry, fallback: other } : entry;
}

/** A GRUB path's TFTP server and path: `(tftp,<ip>)/path` names its server, `/path` is on
 *  the server GRUB came from. */
export function grubDevicePath(path: string, server: string): { server: string; path: string } {
  const m = /^\(tftp,([^)]+)\)(\/.*)$/.exec(path);
  return m?.[1] && m[2] ? { server: m[1], path: m[2] } : { server, path };
}
