import { describe, expect, it } from "vitest";
import { dnfArgv, mirrorRetries, packageArgs } from "../../../src/lab/client/dnf.js";
import { iniValue } from "../../../src/lab/client/dracut.js";
import { clientProfile, tftpBudgetS } from "../../../src/lab/client/profile.js";
import { tftpRetryBudget } from "../../../src/lab/client/boot.js";

describe("the package phase (dnf)", () => {
  it("turns %packages into dnf arguments: an environment by its id, exclusions apart", () => {
    const ks = [
      "url --url=ftp://192.168.0.253/pub/rh9",
      "%packages --ignoremissing",
      "@^minimal-environment",
      "# a comment",
      "@core",
      "vim-minimal",
      "-firewalld",
      "%end",
      "%post",
      "not-a-package",
      "%end",
    ].join("\n");
    expect(packageArgs(ks)).toEqual({
      install: ["@minimal-environment", "@core", "vim-minimal"],
      exclude: ["firewalld"],
    });
    // Anaconda's implicit @core, unless --nocore.
    expect(packageArgs("url --url=x\n")).toEqual({ install: ["@core"], exclude: [] });
    expect(packageArgs("%packages --nocore\nbash\n%end\n").install).toEqual(["bash"]);
  });

  it("runs dnf on the kickstart's repository only, with the profile's librepo budget", () => {
    const argv = dnfArgv(
      "/c/root",
      "ftp://192.168.0.253/pub/rh9",
      { install: ["@minimal-environment"], exclude: ["x"] },
      clientProfile("real").dnf,
      "downloadonly",
    );
    expect(argv).toEqual(
      expect.arrayContaining([
        "--installroot=/c/root",
        "--setopt=reposdir=/dev/null",
        "--setopt=skip_if_unavailable=False",
        "--setopt=retries=10",
        "--setopt=timeout=30",
        "--setopt=minrate=1000",
        "--repofrompath=ks,ftp://192.168.0.253/pub/rh9",
        "--repo=ks",
        "--exclude=x",
        "--downloadonly",
      ]),
    );
    expect(argv.slice(-2)).toEqual(["install", "@minimal-environment"]);
    expect(argv.some((a) => a.startsWith("--setopt=cachedir"))).toBe(false);
  });

  it("counts librepo's retries in dnf's verbose output", () => {
    const out = [
      "[MIRROR] bash-1.rpm: Curl error (56): Failure when receiving data from the peer",
      "[MIRROR] glibc-1.rpm: Curl error (28): Timeout was reached",
      "(2/9): bash-1.rpm  1.0 MB/s",
    ].join("\n");
    expect(mirrorRetries(out)).toBe(2);
  });
});

describe("client profiles", () => {
  it("the real one follows the firmware's and the installer's budgets", () => {
    const real = clientProfile("real");
    expect(real.dhcpTimeoutsS).toEqual([4, 8, 16, 32]);
    expect(tftpBudgetS(real.pxelinux)).toBeCloseTo(130.9, 1);
    expect(tftpBudgetS(real.grub)).toBeCloseTo(31.6, 1);
    expect(tftpBudgetS(real.rom)).toBeCloseTo(15.75, 2);
    expect(tftpRetryBudget(real.pxelinux)).toBe(30);
    expect(real.curlArgs).toContain("--retry-connrefused");
    expect(real.dnf).toEqual({ retries: 10, timeoutS: 30, minrate: 1000, rerun: false });
  });

  it("the patient one retries without limit", () => {
    const patient = clientProfile("patient");
    expect(tftpBudgetS(patient.pxelinux)).toBe(Infinity);
    expect(tftpRetryBudget(patient.pxelinux)).toBeUndefined();
    expect(patient.curlArgs).toBeUndefined();
    expect(patient.dnf.retries).toBe(0);
  });
});

describe(".treeinfo", () => {
  it("reads a key of a section", () => {
    const ti = "[general]\nversion = 9\n[stage2]\nmainimage = images/install.img\n";
    expect(iniValue(ti, "stage2", "mainimage")).toBe("images/install.img");
    expect(iniValue(ti, "general", "mainimage")).toBeUndefined();
    expect(iniValue(ti, "stage2", "version")).toBeUndefined();
  });
});
