// The Packages/ directory of the lab's install tree: many files with the sizes of a real
// distribution's RPMs (log-normal, median ~150 KB) and random but reproducible content.
import { createCipheriv, createHash } from "node:crypto";

export interface PackageFile {
  name: string;
  size: number;
}

const STEMS = [
  "bash",
  "coreutils",
  "glibc",
  "kernel-core",
  "openssl-libs",
  "systemd",
  "python3-libs",
  "perl-interpreter",
  "vim-minimal",
  "NetworkManager",
  "dnf",
  "rpm",
  "openssh-server",
  "util-linux",
  "sed",
  "gawk",
  "grep",
  "tar",
  "gzip",
  "xz-libs",
  "zlib",
  "libstdc++",
  "firewalld",
  "selinux-policy-targeted",
  "linux-firmware",
  "grub2-efi-x64",
  "dracut",
  "e2fsprogs",
  "xfsprogs",
  "lvm2",
  "sudo",
  "chrony",
  "audit",
  "rsyslog",
  "cronie",
  "kbd",
  "iproute",
  "iputils",
  "bind-utils",
  "curl",
  "libcurl",
  "nss",
  "krb5-libs",
  "cyrus-sasl-lib",
  "pam",
  "shadow-utils",
  "setup",
  "filesystem",
  "basesystem",
  "tzdata",
];

/** A small deterministic PRNG (mulberry32): the same seed always gives the same tree. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** File names and sizes adding up to about `totalBytes`. */
export function planPackages(totalBytes: number, seed: number): PackageFile[] {
  const rnd = prng(seed);
  const files: PackageFile[] = [];
  let left = totalBytes;
  for (let i = 0; left > 0; i++) {
    // Box-Muller normal -> log-normal; clamp to 4 KB .. 16 MB like real packages.
    const z = Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
    const size = Math.min(
      left,
      Math.round(Math.min(16 << 20, Math.max(4096, 150e3 * Math.exp(1.4 * z)))),
    );
    const stem = STEMS[i % STEMS.length] ?? "pkg";
    const ver = `${1 + Math.floor(rnd() * 9)}.${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 10)}`;
    files.push({ name: `${stem}-${ver}-${1 + Math.floor(i / STEMS.length)}.el9.x86_64.rpm`, size });
    left -= size;
  }
  return files;
}

/** Content of one package file: an AES-CTR keystream keyed by the seed and the file name. */
export function packageContent(file: PackageFile, seed: number): Buffer {
  const key = createHash("sha256").update(`${seed}:${file.name}`).digest();
  const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), key.subarray(16, 32));
  return cipher.update(Buffer.alloc(file.size));
}
