// What goes into the Packages/ directory of the lab's install tree: a few noarch RPMs named
// after real ones, each carrying one file of random but reproducible content (./rpm.ts builds
// them).
import { createCipheriv, createHash } from "node:crypto";

export interface PackageFile {
  /** The RPM's name (a real package's, for realistic transaction output). */
  name: string;
  version: string;
  /** Bytes of its one payload file. */
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

/** How many RPMs a tree of `totalBytes` gets: a few big ones rather than a distribution's
 *  thousands, so building the tree (one rpmbuild run) and installing it with dnf stay quick. */
export function packageCount(totalBytes: number): number {
  return Math.min(STEMS.length, Math.max(4, Math.round(totalBytes / (2 << 20))));
}

/** RPM names, versions and payload sizes adding up to `totalBytes`: sizes vary from a half to
 *  one and a half of the mean, reproducibly from the seed. */
export function planPackages(totalBytes: number, seed: number): PackageFile[] {
  const rnd = prng(seed);
  const count = packageCount(totalBytes);
  const weights = Array.from({ length: count }, () => 0.5 + rnd());
  const sum = weights.reduce((a, b) => a + b, 0);
  let left = totalBytes;
  return weights.map((w, i) => {
    const size = i === count - 1 ? left : Math.floor((totalBytes * w) / sum);
    left -= size;
    const version = `${1 + Math.floor(rnd() * 9)}.${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 10)}`;
    return { name: STEMS[i] ?? `pkg${i}`, version, size };
  });
}

/** Payload of one package: an AES-CTR keystream keyed by the seed and the package name. */
export function packageContent(file: PackageFile, seed: number): Buffer {
  const key = createHash("sha256").update(`${seed}:${file.name}`).digest();
  const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), key.subarray(16, 32));
  return cipher.update(Buffer.alloc(file.size));
}
