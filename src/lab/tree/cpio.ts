// A gzip'd cpio archive in the "newc" format the Linux kernel unpacks as an initramfs.
// Small enough to write here rather than depend on the cpio tool being installed.
import { gzipSync } from "node:zlib";

export interface CpioEntry {
  path: string;
  /** File type and permission bits, e.g. 0o100755 for an executable file. */
  mode: number;
  data?: Buffer;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export const dir = (path: string): CpioEntry => ({ path, mode: S_IFDIR | 0o755 });
export const file = (path: string, data: Buffer, perm = 0o644): CpioEntry => ({
  path,
  mode: S_IFREG | perm,
  data,
});
export const symlink = (path: string, target: string): CpioEntry => ({
  path,
  mode: S_IFLNK | 0o777,
  data: Buffer.from(target),
});

const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

function header(ino: number, mode: number, size: number, nameLen: number): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
  // rdevminor, namesize, check
  const fields = [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, 0, 0, nameLen, 0];
  return "070701" + fields.map(hex8).join("");
}

export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const add = (ino: number, mode: number, path: string, data: Buffer): void => {
    const name = Buffer.from(path + "\0");
    const head = Buffer.from(header(ino, mode, data.length, name.length));
    parts.push(head, name, pad4(head.length + name.length), data, pad4(data.length));
  };
  entries.forEach((e, i) => add(i + 1, e.mode, e.path, e.data ?? Buffer.alloc(0)));
  add(0, 0, "TRAILER!!!", Buffer.alloc(0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
