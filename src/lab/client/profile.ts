// How patient an install client is in each phase. `real` follows what a real BIOS or UEFI PC
// and RHEL 9's installer do, read in their sources (cited below); `patient` is the lab's
// earlier client, which retried everything until its deadline and resumed every transfer, kept
// to compare against. The drill defaults to `real`.

export type ProfileName = "real" | "patient";
export const PROFILES: readonly ProfileName[] = ["real", "patient"];

/** The install phases in the order a client goes through them. */
export type Phase = "dhcp" | "tftp" | "kickstart" | "stage2" | "packages";
export const PHASES: readonly Phase[] = ["dhcp", "tftp", "kickstart", "stage2", "packages"];

/** A TFTP client: how long it waits for an answer to each read request, and whether a file
 *  survives losing its server halfway (none of the real ones does: below). */
export interface TftpBudget {
  who: string;
  /** Seconds waited for the first packet after each read request (one retransmission each). */
  openTimeoutsS: readonly number[];
  /** Another request is sent for a file cut halfway (restarting it from byte 0). */
  restartsCutFile: boolean;
  /** The `blksize` its read request asks for (RFC 2348): one lockstep round trip per block. */
  blksize: number;
  /**
   * A file cut halfway is fatal and the PC reboots: after the DHCP lease's option 211
   * (pxelinux.reboottime), else after this many seconds. Undefined: the loader just fails.
   */
  rebootAfterCutS?: number;
}

/** dnf's librepo settings (dnf.conf(5): `retries`, `timeout`, `minrate`). */
export interface DnfBudget {
  /** Total download retries for the whole transaction; 0 = forever. */
  retries: number;
  /** Seconds below `minrate` before a transfer is abandoned. */
  timeoutS: number;
  /** Bytes/s. */
  minrate: number;
  /** dnf is run again after it fails, until the install's deadline (`patient`): it retries
   *  even what dnf itself does not, such as the repository's metadata. */
  rerun: boolean;
}

export interface ClientProfile {
  name: ProfileName;
  /** Seconds waited after each DHCPDISCOVER; the firmware gives up after the last one. */
  dhcpTimeoutsS: readonly number[];
  /** `patient`: discovers go on, 1 s apart, until the install's deadline. */
  dhcpForever: boolean;
  /** The PXE ROM fetching the boot file (pxelinux.0 or GRUB's image). */
  rom: TftpBudget;
  pxelinux: TftpBudget;
  grub: TftpBudget;
  /** The curl arguments the kickstart and stage2 fetches run with, besides the output and
   *  URL; `undefined`: fetch.ts's resuming download loop. */
  curlArgs: readonly string[] | undefined;
  dnf: DnfBudget;
}

// pxelinux (syslinux 6 core/fs/pxe/tftp.c): TimeoutTable, in 18.2 Hz ticks, is walked once per
// request; tftp_get_packet() waits through the same table for the next DATA packet, ACKing the
// last one again at each step, and then calls kaboom(): a transfer whose server went away is
// fatal. kaboom() (core/pxelinux.asm) prints "Boot failed: press a key to retry, or wait for
// reset..." and cold-reboots after RebootTime: REBOOT_TIME, 300 s, unless DHCP option 211 set
// it (core/fs/pxe/dhcp_option.c). The PC then starts again from DHCP.
const PXELINUX_TICKS = [
  2, 2, 3, 3, 4, 5, 6, 7, 9, 10, 12, 15, 18, 21, 26, 31, 37, 44, 53, 64, 77, 92, 110, 132, 159, 191,
  229, 255, 255, 255, 255,
];

// GRUB (grub-core/net/net.c, include/grub/net.h): GRUB_NET_TRIES 40 requests,
// GRUB_NET_INTERVAL 400 ms plus GRUB_NET_INTERVAL_ADDITION 20 ms per try; reading a file,
// grub_net_fs_read_real() polls 40 x 400 ms for the next packet and fails with
// GRUB_ERR_TIMEOUT, without asking again.
const GRUB_TRIES_MS = Array.from({ length: 40 }, (_, i) => 400 + 20 * i);

// iPXE (include/ipxe/retry.h, net/retry.c): a retry timer starts at DEFAULT_MIN_TIMEOUT (1/4 s),
// doubles, and fails once it passes DEFAULT_MAX_TIMEOUT (10 s); its TFTP re-sends on each
// timeout, but a server that lost the transfer answers with an error or not at all.
const IPXE_TIMEOUTS_S = [0.25, 0.5, 1, 2, 4, 8];

// The block size each one asks for: iPXE TFTP_MAX_BLKSIZE (include/ipxe/tftp.h), pxelinux's
// rrq_tail (core/fs/pxe/tftp.c), GRUB's tftp_open (grub-core/net/tftp.c).
const BLKSIZE = { ipxe: 1432, pxelinux: 1408, grub: 1024 } as const;

const REAL: ClientProfile = {
  name: "real",
  // The PXE specification 2.1: four DHCPDISCOVERs, waiting 4, 8, 16 and 32 s (iPXE's
  // config/dhcp.h quotes it; iPXE itself shortens it to 1, 2, 4, 8 s).
  dhcpTimeoutsS: [4, 8, 16, 32],
  dhcpForever: false,
  rom: {
    who: "the PXE ROM (iPXE)",
    openTimeoutsS: IPXE_TIMEOUTS_S,
    restartsCutFile: false,
    blksize: BLKSIZE.ipxe,
  },
  pxelinux: {
    who: "pxelinux",
    openTimeoutsS: PXELINUX_TICKS.map((t) => t / 18.2),
    restartsCutFile: false,
    blksize: BLKSIZE.pxelinux,
    rebootAfterCutS: 300,
  },
  grub: {
    who: "GRUB",
    openTimeoutsS: GRUB_TRIES_MS.map((ms) => ms / 1000),
    restartsCutFile: false,
    blksize: BLKSIZE.grub,
  },
  // dracut's url-lib (modules.d/45url-lib/url-lib.sh in RHEL 9's dracut): fetch_url runs curl
  // once with these; curl's --retry repeats only "transient" failures (timeouts, FTP 4xx,
  // HTTP 408/429/5xx; with --retry-connrefused a refused connection), from byte 0, after 1, 2,
  // 4 s. Anaconda's dracut hooks (fetch-kickstart-net.sh, anaconda_net_root in
  // anaconda-lib.sh) call it once per URL: a failed fetch of the kickstart, or of stage2 from
  // every `inst.stage2=` source in turn, ends the install in dracut's emergency shell.
  curlArgs: [
    "--globoff",
    "--location",
    "--retry",
    "3",
    "--retry-connrefused",
    "--fail",
    "--show-error",
  ],
  // dnf.conf(5) defaults (libdnf ConfigMain): retries=10, timeout=30, minrate=1000. Anaconda's
  // DNF payload keeps them and downloads the whole transaction first; a package that cannot be
  // downloaded ends the install ("Error downloading packages").
  // The metadata (repomd.xml and what it names) is tried once per baseurl: libdnf sets
  // LRO_MAXMIRRORTRIES 0, "try all mirrors" once each (libdnf/repo/Repo.cpp), and the
  // kickstart's `url --url` gives one; a cut there fails the install ("All mirrors were tried").
  dnf: { retries: 10, timeoutS: 30, minrate: 1000, rerun: false },
};

const PATIENT: ClientProfile = {
  name: "patient",
  dhcpTimeoutsS: [1],
  dhcpForever: true,
  rom: { who: "the PXE ROM", openTimeoutsS: [], restartsCutFile: true, blksize: BLKSIZE.ipxe },
  pxelinux: {
    who: "pxelinux",
    openTimeoutsS: [],
    restartsCutFile: true,
    blksize: BLKSIZE.pxelinux,
  },
  grub: { who: "GRUB", openTimeoutsS: [], restartsCutFile: true, blksize: BLKSIZE.grub },
  curlArgs: undefined,
  // retries=0: for ever; a transfer that moves nothing for 2 s is abandoned and retried.
  dnf: { retries: 0, timeoutS: 2, minrate: 1, rerun: true },
};

export function clientProfile(name: ProfileName): ClientProfile {
  return name === "real" ? REAL : PATIENT;
}

/** Seconds a TFTP client keeps asking for one file before it gives up (Infinity: patient). */
export function tftpBudgetS(b: TftpBudget): number {
  return b.openTimeoutsS.length === 0 ? Infinity : b.openTimeoutsS.reduce((a, t) => a + t, 0);
}
