import { describe, expect, it } from "vitest";
import {
  kickstartUrls,
  stage2Urls,
  parsePxelinuxConfig,
  pxelinuxSearchOrder,
  tftpPath,
} from "../../../src/lab/client/pxelinux.js";

describe("pxelinux search order", () => {
  it("asks for the MAC file, the hex IP shortened digit by digit, then default", () => {
    expect(pxelinuxSearchOrder("pxelinux.0", "00:0C:29:20:50:90", "192.168.0.128")).toEqual([
      "pxelinux.cfg/01-00-0c-29-20-50-90",
      "pxelinux.cfg/C0A80080",
      "pxelinux.cfg/C0A8008",
      "pxelinux.cfg/C0A800",
      "pxelinux.cfg/C0A80",
      "pxelinux.cfg/C0A8",
      "pxelinux.cfg/C0A",
      "pxelinux.cfg/C0",
      "pxelinux.cfg/C",
      "pxelinux.cfg/default",
    ]);
  });

  it("looks below the boot file's directory", () => {
    expect(pxelinuxSearchOrder("rh9/pxelinux.0", "00:0c:29:20:50:91", "10.0.0.1")[0]).toBe(
      "rh9/pxelinux.cfg/01-00-0c-29-20-50-91",
    );
    expect(tftpPath("rh9/pxelinux.0", "vmlinuz")).toBe("rh9/vmlinuz");
    expect(tftpPath("rh9/pxelinux.0", "/images/vmlinuz")).toBe("images/vmlinuz");
  });
});

describe("pxelinux config", () => {
  it("boots DEFAULT's label with its APPEND and initrd=", () => {
    const cfg = [
      "DEFAULT ks",
      "TIMEOUT 10",
      "LABEL local",
      "  LOCALBOOT 0",
      "LABEL ks",
      "  KERNEL rh9/vmlinuz",
      "  APPEND initrd=rh9/initrd.img,extra.img inst.ks=ftp://192.168.0.253/pub/ks/client1.cfg",
    ].join("\n");
    expect(parsePxelinuxConfig(cfg)).toEqual({
      label: "ks",
      kernel: "rh9/vmlinuz",
      append: "initrd=rh9/initrd.img,extra.img inst.ks=ftp://192.168.0.253/pub/ks/client1.cfg",
      initrd: "rh9/initrd.img",
    });
  });

  it("understands the old one-line DEFAULT, INITRD and lower case keywords", () => {
    expect(parsePxelinuxConfig("default vmlinuz ks=http://x/ks.cfg")).toEqual({
      kernel: "vmlinuz",
      append: "ks=http://x/ks.cfg",
    });
    expect(parsePxelinuxConfig("label a\n linux k\n initrd i\n append x=1")).toEqual({
      label: "a",
      kernel: "k",
      append: "x=1",
      initrd: "i",
    });
    expect(parsePxelinuxConfig("LABEL local\n LOCALBOOT 0")).toBeUndefined();
  });

  it("lists dracut's kickstart sources: every network inst.ks= with inst.ks.all, else the last", () => {
    expect(kickstartUrls("initrd=i ks=ftp://a/ks.cfg")).toEqual(["ftp://a/ks.cfg"]);
    expect(kickstartUrls("inst.ks=http://a/b.cfg ip=dhcp")).toEqual(["http://a/b.cfg"]);
    expect(kickstartUrls("inst.ks=ftp://a/k inst.ks=ftp://b/k")).toEqual(["ftp://b/k"]);
    expect(
      kickstartUrls("inst.ks=ftp://a/k inst.ks=nfs:c:/k inst.ks=http://b/k inst.ks.all"),
    ).toEqual(["ftp://a/k", "http://b/k"]);
    expect(kickstartUrls("initrd=i inst.repo=ftp://a")).toEqual([]);
  });

  it("lists dracut's stage2 sources: every inst.stage2= in order, else inst.repo=", () => {
    expect(
      stage2Urls("inst.ks=ftp://a/k inst.stage2=ftp://a inst.stage2=ftp://b inst.repo=ftp://a"),
    ).toEqual(["ftp://a", "ftp://b"]);
    expect(stage2Urls("inst.ks=ftp://a/k inst.repo=ftp://c ip=dhcp")).toEqual(["ftp://c"]);
    expect(stage2Urls("ks=ftp://a/k")).toEqual([]);
  });
});
