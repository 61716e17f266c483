// Fetching over the LAN from inside a client's namespace with curl: TFTP (pxelinux's own
// protocol), one FTP/HTTP fetch with given curl arguments (what dracut does, ./profile.ts),
// and the patient profile's download with resume: a transfer that stalls for 2 s is abandoned
// and rerun with `-C -` from where it stopped, which is what survives a VIP moving to another
// server (curl's own --retry starts again from byte 0, and hangs a minute first).
import { rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { neighbourMac, runInNetns } from "./netns.js";
import type { Transfer } from "./report.js";

/** curl's exit code for a file the TFTP server does not have. */
export const TFTP_NOT_FOUND = 68;
/** TFTP errors another attempt will not fix: access violation, illegal operation. */
export const TFTP_PERMANENT = new Set([69, 71]);
/** Exit codes that another attempt will not fix (bad URL, access denied, no such file). */
const PERMANENT = new Set([1, 3, 6, 9, 19, 22, 67, 78]);
const RESUME_BEYOND_END = 36;

export interface FetchContext {
  netns: string;
  /** Server names by their LAN MAC, to name who answered for a VIP. */
  serversByMac: Map<string, string>;
  /** Epoch ms that transfer times are relative to. */
  t0: number;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  transfers: Transfer[];
  onRetry: (file: string, exitCode: number) => void;
}

export interface CurlOnce {
  exitCode: number;
  address: string;
  bytes: number;
  stderr: string;
}

/** The lab's own curl options: quiet but for errors, a 2 s connect timeout. */
const LAB_CURL = ["-sS", "--connect-timeout", "2"];

async function curlOnce(
  netns: string,
  args: readonly string[],
  timeoutMs: number,
  base: readonly string[] = LAB_CURL,
): Promise<CurlOnce> {
  const r = await runInNetns(
    netns,
    ["curl", ...base, "-w", "%{remote_ip}|%{size_download}", ...args],
    { timeoutMs },
  );
  const [address = "", bytes = "0"] = r.stdout.trim().split("|");
  return { exitCode: r.exitCode, address, bytes: Number(bytes) || 0, stderr: r.stderr.trim() };
}

/** One TFTP get in blocks of `blksize`: curl's exit code (TFTP_NOT_FOUND when the server has
 *  no such file) and the bytes it received before it ended, given up once nothing came for
 *  `stallS` seconds. */
export async function tftpGet(
  ctx: FetchContext,
  server: string,
  path: string,
  dest: string,
  stallS: number,
  blksize: number,
): Promise<CurlOnce> {
  const start = Date.now();
  // A boot loader has no limit on a transfer that keeps moving (eight clients' 8 MB kernels
  // over TFTP on a loaded machine take minutes): only the install's deadline.
  const leftS = Math.max(5, Math.ceil((ctx.deadline - Date.now()) / 1000));
  const stall = String(Math.max(1, Math.round(Math.min(stallS, leftS))));
  const r = await curlOnce(
    ctx.netns,
    [
      ...["--max-time", String(leftS), "--speed-limit", "1", "--speed-time", stall],
      ...["--tftp-blksize", String(blksize), "-o", dest, `tftp://${server}/${path}`],
    ],
    (leftS + 5) * 1000,
  );
  await record(ctx, `tftp:${path}`, start, r, server);
  return r;
}

/** One curl run with `args` (its own --retry included) until the install's deadline. */
export async function fetchOnce(
  ctx: FetchContext,
  file: string,
  url: string,
  dest: string,
  args: readonly string[],
): Promise<CurlOnce> {
  const start = Date.now();
  // No progress meter, but curl's warnings (its retries) and errors, as dracut's console shows.
  const r = await curlOnce(
    ctx.netns,
    [...args, "-o", dest, url],
    Math.max(5_000, ctx.deadline - Date.now()),
    ["--no-progress-meter"],
  );
  await record(ctx, file, start, r, new URL(url).hostname);
  return r;
}

/** How many times curl's --retry tried again ("Will retry in N seconds" on stderr). */
export const curlRetries = (stderr: string): number =>
  stderr.split("\n").filter((l) => /Will retry in/.test(l)).length;

async function record(
  ctx: FetchContext,
  file: string,
  start: number,
  r: CurlOnce,
  fallbackAddress: string,
): Promise<void> {
  const address = r.address || fallbackAddress;
  const mac = await neighbourMac(ctx.netns, address);
  const server = mac ? ctx.serversByMac.get(mac) : undefined;
  ctx.transfers.push({
    file,
    startMs: start - ctx.t0,
    endMs: Date.now() - ctx.t0,
    bytes: r.bytes,
    address,
    ...(server ? { server } : {}),
    exitCode: r.exitCode,
  });
}

const sizeOf = (f: string): Promise<number> =>
  stat(f).then(
    (s) => s.size,
    () => 0,
  );

/** Downloads `url` to `dest`, resuming after stalls and failures until the deadline.
 *  Throws a message naming the last error when it gives up. */
export async function download(
  ctx: FetchContext,
  file: string,
  url: string,
  dest: string,
  /** Whether `dest` already holds the whole file: an attempt can fail after its last byte
   *  (the FTP server's closing reply lost in a failover), and must not count as a failure. */
  isComplete?: () => Promise<boolean>,
): Promise<void> {
  let permanent = 0;
  for (let attempt = 0; ; attempt++) {
    const start = Date.now();
    const resume = (await sizeOf(dest)) > 0 ? ["-C", "-"] : [];
    const r = await curlOnce(
      ctx.netns,
      [
        ...resume,
        // HTTP errors (404) as failures rather than saved error pages.
        "--fail",
        "--speed-limit",
        "1",
        "--speed-time",
        "2",
        "--keepalive-time",
        "2",
        "-o",
        dest,
        url,
      ],
      Math.max(5_000, ctx.deadline - Date.now() + 5_000),
    );
    await record(ctx, file, start, r, new URL(url).hostname);
    if (r.exitCode === 0 || (isComplete && (await isComplete()))) return;
    if (r.exitCode === RESUME_BEYOND_END) await rm(dest, { force: true });
    if (PERMANENT.has(r.exitCode)) permanent++;
    if (permanent >= 3 || Date.now() > ctx.deadline)
      throw new Error(`${url}: curl exit ${r.exitCode} after ${attempt + 1} attempts: ${r.stderr}`);
    ctx.onRetry(file, r.exitCode);
    await sleep(200);
  }
}
