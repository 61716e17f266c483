// The package phase, done by the real thing: Debian's dnf 4 (python3-dnf with librepo, the
// generation of RHEL 9's Anaconda payload) in the client's network namespace, installing the
// kickstart's %packages from its `url --url` into an installroot in the client's directory.
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../run.js";
import { runInNetns } from "./netns.js";
import type { DnfBudget } from "./profile.js";
import type { DnfResult } from "./report.js";

/** The `%packages` section's entries as dnf install arguments and `--exclude`s. Anaconda asks
 *  dnf's API for an environment (`@^id`); dnf's command line names it `@id`. Anaconda always
 *  installs the `core` group unless `%packages --nocore` says otherwise (pykickstart's
 *  %packages documentation), so a kickstart without the section still installs something. */
export function packageArgs(kickstart: string): { install: string[]; exclude: string[] } {
  const install: string[] = [];
  const exclude: string[] = [];
  let inside = false;
  let core = true;
  for (const raw of kickstart.split("\n")) {
    const line = raw.trim();
    if (/^%packages(\s|$)/.test(line)) {
      inside = true;
      if (/\s--nocore(\s|$)/.test(line)) core = false;
    } else if (inside && /^%end(\s|$)/.test(line)) inside = false;
    else if (inside && line !== "" && !line.startsWith("#")) {
      if (line.startsWith("-")) exclude.push(line.slice(1));
      else install.push(line.replace(/^@\^/, "@"));
    }
  }
  return { install: core && !install.includes("@core") ? ["@core", ...install] : install, exclude };
}

export function dnfArgv(
  root: string,
  repoUrl: string,
  pkgs: { install: string[]; exclude: string[] },
  budget: DnfBudget,
  mode: DnfResult["mode"],
): string[] {
  return [
    "dnf",
    "-y",
    "-v",
    `--installroot=${root}`,
    "--releasever=9",
    "--noplugins",
    "--nogpgcheck",
    // Only the kickstart's repository, and its failure is an error (Debian's dnf.conf sets
    // skip_if_unavailable=True; RHEL's default is False).
    "--setopt=reposdir=/dev/null",
    "--setopt=skip_if_unavailable=False",
    "--setopt=install_weak_deps=False",
    // Kept (below the installroot: dnf's default cachedir there; setting cachedir would put
    // it on this machine), so the client can count what it downloaded.
    "--setopt=keepcache=True",
    `--setopt=retries=${budget.retries}`,
    `--setopt=timeout=${budget.timeoutS}`,
    `--setopt=minrate=${budget.minrate}`,
    `--repofrompath=ks,${repoUrl}`,
    "--repo=ks",
    ...pkgs.exclude.map((p) => `--exclude=${p}`),
    ...(mode === "downloadonly" ? ["--downloadonly"] : []),
    "install",
    ...pkgs.install,
  ];
}

/** librepo's retries as dnf -v prints them: `[MIRROR] <file>: Curl error ...`. */
export const mirrorRetries = (output: string): number =>
  output.split("\n").filter((l) => /\[MIRROR\]/.test(l)).length;

const lastError = (output: string): string | undefined =>
  output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(Error|\[FAILED\])/.test(l))
    .pop();

/** The RPMs in dnf's package cache (kept: keepcache=True) and their sizes. */
async function downloaded(root: string): Promise<{ name: string; bytes: number }[]> {
  const cache = join(root, "var/cache/dnf");
  const entries = await readdir(cache, { recursive: true }).catch(() => [] as string[]);
  const rpms = entries.filter((e) => e.endsWith(".rpm")).sort();
  return Promise.all(
    rpms.map(async (e) => ({
      name: e.split("/").pop() ?? e,
      bytes: (await stat(join(cache, e))).size,
    })),
  );
}

/** Runs dnf until it ends (or `timeoutMs`); what it installed or downloaded, and the bytes. */
export async function runDnf(
  netns: string,
  root: string,
  repoUrl: string,
  kickstart: string,
  budget: DnfBudget,
  mode: DnfResult["mode"],
  timeoutMs: number,
): Promise<{ result: DnfResult; bytes: number }> {
  const argv = dnfArgv(root, repoUrl, packageArgs(kickstart), budget, mode);
  const env = await rpmEnv(root);
  const r = await runInNetns(netns, argv, { timeoutMs, env });
  const output = `${r.stdout}\n${r.stderr}`;
  const cached = await downloaded(root);
  const packages =
    mode === "install"
      ? (
          await run(
            ["rpm", `--root=${root}`, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n"],
            { env },
          )
        ).stdout
          .split("\n")
          .filter((l) => l !== "")
          .sort()
      : cached.map((c) => c.name);
  const error = r.exitCode === 0 ? undefined : (lastError(output) ?? `dnf exit ${r.exitCode}`);
  return {
    result: {
      mode,
      exitCode: r.exitCode,
      ...(error ? { error } : {}),
      retries: mirrorRetries(output),
      retriesBudget: budget.retries,
      packages,
      durationMs: r.durationMs,
    },
    bytes: cached.reduce((n, c) => n + c.bytes, 0),
  };
}

/**
 * The environment rpm and dnf run with: Debian's rpm keeps its database in ~/.rpmdb
 * (`%_dbpath`), so HOME points at a directory beside the installroot whose .rpmmacros puts it
 * where RHEL has it, /var/lib/rpm inside the installroot.
 */
async function rpmEnv(root: string): Promise<NodeJS.ProcessEnv> {
  const home = `${root}.home`;
  await mkdir(home, { recursive: true });
  await writeFile(join(home, ".rpmmacros"), "%_dbpath /var/lib/rpm\n");
  return { ...process.env, HOME: home };
}

/** Files of installed packages whose content differs from their RPM headers (`rpm -V`). */
export async function verifyInstalled(root: string): Promise<string[]> {
  const r = await run(["rpm", `--root=${root}`, "-Va", "--nodeps", "--nomtime"], {
    env: await rpmEnv(root),
  });
  return r.stdout
    .split("\n")
    .filter((l) => /^\S*5/.test(l))
    .map((l) => l.trim().split(/\s+/).pop() ?? l);
}
