// The lab tree's package repository, made by the tools a real one is made with: one rpmbuild
// run turns a generated spec into one noarch RPM per planned package (a subpackage each, its
// payload one file of random content, stored uncompressed so building costs no CPU), and
// createrepo_c writes repodata/ with a comps group and environment, so dnf can install the
// kickstart's `%packages` (`@^minimal-environment`) from it.
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runOk } from "../run.js";
import { packageContent, type PackageFile } from "./packages.js";

/** Where each package's payload is installed (inside a client's installroot). */
export const PAYLOAD_DIR = "/usr/share/ksorch-lab";
/** The comps group holding every package, and the environments the kickstart templates name
 *  (templates/kickstart.ejs: rhel9/rhel8, rhel7, legacy's `@base` group). */
const GROUP = "core";
const ENVIRONMENTS = ["minimal-environment", "minimal"];
/** Fixed build time and host: the same plan gives the same RPM headers. */
const BUILD_EPOCH = "1238544000";

function spec(pkgs: readonly PackageFile[]): string {
  const lines = [
    "Name: ksorch-lab",
    "Version: 9.0",
    "Release: 1.el9",
    "Summary: ksorch lab install tree",
    "License: MIT",
    "BuildArch: noarch",
    "%description",
    "Packages of the ksorch lab's install tree: random payload, no scripts.",
  ];
  for (const p of pkgs)
    lines.push(
      `%package -n ${p.name}`,
      `Version: ${p.version}`,
      `Summary: ${p.name} (ksorch lab payload)`,
      `%description -n ${p.name}`,
      `${p.size} bytes of random payload.`,
    );
  lines.push("%install", "mkdir -p %{buildroot}", "cp -a %{_sourcedir}/payload/. %{buildroot}/");
  for (const p of pkgs) lines.push(`%files -n ${p.name}`, `${PAYLOAD_DIR}/${p.name}.bin`);
  return lines.join("\n") + "\n";
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function comps(pkgs: readonly PackageFile[]): string {
  const req = pkgs.map(
    (p) => `      <packagereq type="mandatory">${xmlEscape(p.name)}</packagereq>`,
  );
  const group = (id: string): string[] => [
    "  <group>",
    `    <id>${id}</id>`,
    `    <name>${id}</name>`,
    "    <description>every package of the ksorch lab tree</description>",
    "    <default>true</default>",
    "    <uservisible>true</uservisible>",
    "    <packagelist>",
    ...req,
    "    </packagelist>",
    "  </group>",
  ];
  const env = (id: string): string[] => [
    "  <environment>",
    `    <id>${id}</id>`,
    `    <name>${id}</name>`,
    "    <description>the ksorch lab tree</description>",
    `    <grouplist><groupid>${GROUP}</groupid></grouplist>`,
    "  </environment>",
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">',
    "<comps>",
    ...group(GROUP),
    ...group("base"),
    ...ENVIRONMENTS.flatMap(env),
    "</comps>",
    "",
  ].join("\n");
}

/** Builds `pkgs` into `tree`/Packages and the repository metadata into `tree`/repodata. */
export async function buildRepository(
  tree: string,
  pkgs: readonly PackageFile[],
  seed: number,
): Promise<void> {
  const top = `${tree}.rpmbuild`;
  await rm(top, { recursive: true, force: true });
  const payload = join(top, "SOURCES/payload", PAYLOAD_DIR);
  await mkdir(payload, { recursive: true });
  try {
    for (const p of pkgs) await writeFile(join(payload, `${p.name}.bin`), packageContent(p, seed));
    await writeFile(join(top, "lab.spec"), spec(pkgs));
    await runOk(
      [
        "rpmbuild",
        "-bb",
        "--quiet",
        "--define",
        `_topdir ${top}`,
        // w0.ufdio: an uncompressed payload (random data does not compress anyway).
        "--define",
        "_binary_payload w0.ufdio",
        "--define",
        "_build_id_links none",
        "--define",
        "_buildhost ksorch-lab",
        "--define",
        "use_source_date_epoch_as_buildtime 1",
        "--define",
        "clamp_mtime_to_source_date_epoch 1",
        join(top, "lab.spec"),
      ],
      { env: { ...process.env, SOURCE_DATE_EPOCH: BUILD_EPOCH } },
    );
    const built = join(top, "RPMS/noarch");
    await mkdir(join(tree, "Packages"), { recursive: true });
    for (const f of await readdir(built)) await rename(join(built, f), join(tree, "Packages", f));
    await writeFile(join(top, "comps.xml"), comps(pkgs));
    await runOk([
      "createrepo_c",
      "--quiet",
      "--no-database",
      "--groupfile",
      join(top, "comps.xml"),
      tree,
    ]);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}
