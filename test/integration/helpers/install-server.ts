// Makes one lab server an install server BY HAND (not through `ksorch apply`): installs
// isc-dhcp-server, tftpd-hpa, vsftpd and pxelinux offline from the image's cache, writes their
// configs, copies the install tree and a kickstart file, and starts the daemons. The lab test
// uses it to prove the lab's servers and clients work on their own.
import { execInHost, hostArgv } from "../../../src/lab/exec.js";
import { runOk } from "../../../src/lab/run.js";
import { readState } from "../../../src/lab/state.js";
import { TREE_DIR } from "../../../src/lab/paths.js";

export interface HandConfig {
  /** The pxelinux config file name (below pxelinux.cfg/) this server offers. */
  pxelinuxFile: string;
  treePath: string;
}

async function sh(lab: string, host: string, script: string, args: string[] = [], input?: string) {
  const r = await execInHost(
    lab,
    host,
    ["sh", "-ec", script, "sh", ...args],
    input !== undefined ? { input } : {},
  );
  if (r.failed)
    throw new Error(`${host}: ${script.slice(0, 60)}...: exit ${r.exitCode}\n${r.stderr}`);
  return r.stdout;
}

const put = (lab: string, host: string, path: string, content: string): Promise<string> =>
  sh(lab, host, 'mkdir -p "$(dirname "$1")" && cat > "$1"', [path], content);

export async function configureInstallServerByHand(
  lab: string,
  server: string,
  cfg: HandConfig,
): Promise<void> {
  const state = await readState(lab);
  const s = state?.plan.servers.find((x) => x.name === server);
  if (!state || !s) throw new Error(`lab ${lab} has no server ${server}`);
  const ip = s.lan.split("/")[0] ?? "";
  await sh(
    lab,
    server,
    "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends " +
      "isc-dhcp-server tftpd-hpa vsftpd pxelinux syslinux-common >/dev/null",
  );
  const hosts = state.plan.clients.map(
    (c) =>
      `host ${c.name} { hardware ethernet ${c.mac}; fixed-address ${c.ip}; ` +
      `next-server ${ip}; filename "pxelinux.0"; }`,
  );
  await put(lab, server, "/etc/default/isc-dhcp-server", 'INTERFACESv4="eth0"\n');
  await put(
    lab,
    server,
    "/etc/dhcp/dhcpd.conf",
    [
      "authoritative;",
      "ddns-update-style none;",
      "subnet 192.168.0.0 netmask 255.255.255.0 { }",
      ...hosts,
      "",
    ].join("\n"),
  );
  await sh(
    lab,
    server,
    "mkdir -p /srv/tftp/pxelinux.cfg /srv/tftp/rh9 && " +
      "cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 /srv/tftp/",
  );
  await put(
    lab,
    server,
    `/srv/tftp/pxelinux.cfg/${cfg.pxelinuxFile}`,
    [
      "DEFAULT ks",
      "LABEL local",
      "  LOCALBOOT 0",
      "LABEL ks",
      "  KERNEL rh9/vmlinuz",
      `  APPEND initrd=rh9/initrd.img inst.ks=ftp://${ip}/pub/ks/ks.cfg ip=dhcp console=ttyS0`,
      "",
    ].join("\n"),
  );
  await put(
    lab,
    server,
    "/etc/vsftpd.conf",
    [
      "listen=YES",
      "listen_ipv6=NO",
      "anonymous_enable=YES",
      "local_enable=NO",
      "write_enable=NO",
      "anon_root=/srv/ftp",
      "no_anon_password=YES",
      "pasv_min_port=40000",
      "pasv_max_port=40100",
      "isolate=NO",
      "isolate_network=NO",
      "seccomp_sandbox=NO",
      "",
    ].join("\n"),
  );
  await put(
    lab,
    server,
    "/srv/ftp/pub/ks/ks.cfg",
    `text\nurl --url=ftp://${ip}/${cfg.treePath}\nreboot\n`,
  );
  // The tree goes in as a tar stream: the server has no network to fetch it with.
  await runOk([
    "sh",
    "-c",
    'src=$1; shift; tar -C "$src" -cf - . | "$@"',
    "copy",
    TREE_DIR,
    ...(await hostArgv(lab, server, [
      "sh",
      "-c",
      'mkdir -p "$1" && tar -C "$1" -xf -',
      "unpack",
      `/srv/ftp/${cfg.treePath}`,
    ])),
  ]);
  await sh(
    lab,
    server,
    'cp "/srv/ftp/$1/images/pxeboot/vmlinuz" "/srv/ftp/$1/images/pxeboot/initrd.img" /srv/tftp/rh9/\n' +
      "service isc-dhcp-server start\nservice tftpd-hpa start\nservice vsftpd start",
    [cfg.treePath],
  );
}
