import { describe, expect, it } from "vitest";
import { archOption } from "../../../src/lab/client/dhcp.js";
import {
  grubConfigfileFor,
  grubDevicePath,
  grubSearchOrder,
  parseGrubConfig,
  uefiChain,
} from "../../../src/lab/client/grub.js";
import { kickstartUrls, tftpPath } from "../../../src/lab/client/pxelinux.js";
import { renderTemplate } from "../../../src/render/template.js";

describe("GRUB netboot search order", () => {
  it("asks for the MAC file, the hex IP shortened digit by digit, then grub.cfg", () => {
    expect(grubSearchOrder("grub/grubx64.efi", "00:0C:29:20:50:90", "192.168.0.128")).toEqual([
      "grub/grub.cfg-01-00-0c-29-20-50-90",
      "grub/grub.cfg-C0A80080",
      "grub/grub.cfg-C0A8008",
      "grub/grub.cfg-C0A800",
      "grub/grub.cfg-C0A80",
      "grub/grub.cfg-C0A8",
      "grub/grub.cfg-C0A",
      "grub/grub.cfg-C0",
      "grub/grub.cfg-C",
      "grub/grub.cfg",
    ]);
  });

  it("looks in the boot file's own folder (the prefix ksorch builds the image with)", () => {
    expect(grubSearchOrder("grubx64.efi", "00:0c:29:20:50:91", "10.0.0.1")[1]).toBe(
      "grub.cfg-0A000001",
    );
  });
});

describe("the UEFI boot chain", () => {
  it("runs shim's second stage from shim's own folder, then Debian's signed GRUB's one config over TFTP", () => {
    expect(uefiChain("grub/shimx64.efi", "00:0c:29:20:50:90", "192.168.0.128")).toEqual({
      secondStage: "grub/grubx64.efi",
      configs: ["grub/grub.cfg"],
    });
    // That GRUB's prefix is built in: the same configs whatever folder shim came from.
    expect(uefiChain("/efi/shimx64.efi", "00:0c:29:20:50:90", "10.0.0.1")).toEqual({
      secondStage: "efi/grubx64.efi",
      configs: ["grub/grub.cfg"],
    });
  });

  it("is a GRUB image of its own for any other boot file, searching its own folder", () => {
    const chain = uefiChain("grub/ksorch-grubx64.efi", "00:0c:29:20:50:90", "192.168.0.128");
    expect(chain.secondStage).toBeUndefined();
    expect(chain.configs).toEqual(
      grubSearchOrder("grub/ksorch-grubx64.efi", "00:0c:29:20:50:90", "192.168.0.128"),
    );
  });
});

describe("GRUB config", () => {
  it("boots the default entry's kernel, arguments and initrd", () => {
    const entry = parseGrubConfig(
      [
        "set default=1",
        "set timeout=0",
        'menuentry "rescue" {',
        "  linux /rescue/vmlinuz single",
        "}",
        "menuentry 'install' {",
        "  # the installer",
        "  linux /images/pub/rh9/vmlinuz inst.ks=http://192.168.0.253/pub/rh9/ksodd.cfg ip=dhcp",
        "  initrd /images/pub/rh9/initrd.img",
        "}",
      ].join("\n"),
    );
    expect(entry).toEqual({
      label: "install",
      kernel: "/images/pub/rh9/vmlinuz",
      append: "inst.ks=http://192.168.0.253/pub/rh9/ksodd.cfg ip=dhcp",
      initrd: "/images/pub/rh9/initrd.img",
    });
    expect(tftpPath("grub/grubx64.efi", entry?.kernel ?? "")).toBe("images/pub/rh9/vmlinuz");
    expect(kickstartUrls(entry?.append ?? "")).toEqual(["http://192.168.0.253/pub/rh9/ksodd.cfg"]);
  });

  it("finds no kernel in ksorch's grub.cfg for unknown machines", () => {
    const text = renderTemplate("grub-default", { clients: [], prefix: "/grub" });
    expect(text).toMatch(/^\s*exit$/m);
    expect(parseGrubConfig(text)).toBeUndefined();
  });

  it("follows the first configfile line of grub.cfg that names the client's address", () => {
    const text = renderTemplate("grub-default", {
      clients: [
        { ip: "192.168.0.128", pxelinuxFile: "C0A80080" },
        { ip: "192.168.0.12", pxelinuxFile: "C0A8000C" },
      ],
      prefix: "/grub",
    });
    expect(grubConfigfileFor(text, "192.168.0.12")).toBe("/grub/grub.cfg-C0A8000C");
    expect(grubConfigfileFor(text, "192.168.0.128")).toBe("/grub/grub.cfg-C0A80080");
    // A prefix of another address is not that address.
    expect(grubConfigfileFor(text, "192.168.0.1")).toBeUndefined();
  });

  it("keeps the fallback entry GRUB boots when the default one fails", () => {
    const text = [
      "set default=0",
      "set fallback=1",
      "menuentry a {\n linux /k x=1\n initrd /i\n}",
      "menuentry b {\n linux (tftp,10.0.0.2)/k x=1\n initrd (tftp,10.0.0.2)/i\n}",
    ].join("\n");
    const entry = parseGrubConfig(text);
    expect(entry?.fallback).toEqual({
      label: "b",
      kernel: "(tftp,10.0.0.2)/k",
      append: "x=1",
      initrd: "(tftp,10.0.0.2)/i",
    });
    expect(grubDevicePath(entry?.fallback?.kernel ?? "", "10.0.0.1")).toEqual({
      server: "10.0.0.2",
      path: "/k",
    });
    expect(grubDevicePath("/k", "10.0.0.1")).toEqual({ server: "10.0.0.1", path: "/k" });
  });

  it("reads the first entry when no default is set", () => {
    expect(parseGrubConfig("menuentry a {\n linux /k x=1\n}\nmenuentry b {\n linux /j\n}")).toEqual(
      { label: "a", kernel: "/k", append: "x=1" },
    );
  });
});

describe("DHCP client architecture", () => {
  it("is sent as option 93 in two bytes: 0 for BIOS, 7 for x64 UEFI", () => {
    expect(archOption("bios")).toBe("0x5d:0000");
    expect(archOption("uefi")).toBe("0x5d:0007");
  });
});
