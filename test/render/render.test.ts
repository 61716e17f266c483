import { describe, expect, it } from "vitest";
import { osLayout } from "../../src/inventory/layout.js";
import { parseInventory } from "../../src/inventory/load.js";
import { bootFiles } from "../../src/render/boot.js";
import { renderServer } from "../../src/render/render.js";
import { planTopology } from "../../src/topology/plan.js";
import { quote } from "../../src/transport/quote.js";
import { LAB_FILE, labText, labWith } from "../inventory/fixture.js";
import { TEST_SECRETS, dhcpdCheck, fileAt, labInventory, renderAll } from "./fixture.js";
import { lintKickstart } from "./kickstart-lint.js";

const inv = labInventory();
const topo = planTopology(inv);
const cluster = renderAll(inv);
const server1 = cluster.get("server1") ?? [];
const server2 = cluster.get("server2") ?? [];
const debian = osLayout("debian", "isc");

describe("dhcpd.conf", () => {
  const conf = fileAt(server1, "/etc/dhcp/dhcpd.conf").content;

  it("is accepted by the real ISC dhcpd -t", () => {
    const { code, output } = dhcpdCheck(conf);
    expect(code, output).toBe(0);
  });

  it("is rejected by dhcpd -t once broken (the check can fail)", () => {
    expect(
      dhcpdCheck(conf.replace('filename "pxelinux.0";', 'filename "pxelinux.0"')).code,
    ).not.toBe(0);
  });

  it("has one host block per client with its MAC, address and serving VIP", () => {
    for (const c of topo.clients) {
      const block = new RegExp(
        `host ${c.client} \\{\\s*hardware ethernet ${c.mac};\\s*fixed-address ${c.ip.replaceAll(".", "\\.")};\\s*next-server ${c.vip.replaceAll(".", "\\.")};\\s*if [^{]*\\{[^}]*\\} else \\{\\s*filename "pxelinux\\.0";`,
      );
      expect(conf).toMatch(block);
    }
    expect(conf.match(/^\s*host /gm)).toHaveLength(inv.clients.length);
    expect(conf.match(/vendor-class-identifier "PXEClient"/g)).toHaveLength(inv.clients.length);
    expect(conf).toContain("subnet 192.168.0.0 netmask 255.255.255.0 {");
  });

  it("is the same on every server (dhcpd moves with the first VIP)", () => {
    expect(fileAt(server2, "/etc/dhcp/dhcpd.conf").content).toBe(conf);
    expect(fileAt(server1, debian.dhcp.dhcpdDefaults).content).toContain('INTERFACESv4="eth0"');
  });
});

describe("pxelinux configs", () => {
  const { kernel, initrd } = bootFiles(inv.install);

  it("exist for every client, named by its hex IP, pointing at its VIP's kickstart", () => {
    for (const c of topo.clients) {
      const f = fileAt(server1, `${debian.tftpRoot}/pxelinux.cfg/${c.pxelinuxFile}`).content;
      expect(f).toContain(`KERNEL ${kernel}`);
      const tree = `ftp://${c.vip}/pub/rh9`;
      // Stage2 from the client's VIP, else from the VIP of the server that takes it over.
      const other = `ftp://${c.backupVip}/pub/rh9`;
      expect(c.backupVip).not.toBe(c.vip);
      // The kickstart too, for RHEL 9 (inst.ks.all); the same file in both trees.
      const ks = c.kickstartFile;
      expect(f).toContain(
        `APPEND initrd=${initrd} inst.ks=${tree}/${ks} inst.ks=${other}/${ks} inst.ks.all ` +
          `inst.stage2=${tree} inst.stage2=${other} inst.repo=${tree} ip=dhcp`,
      );
      expect(f).not.toMatch(/\sks=/);
    }
  });

  it("give RHEL 8 one kickstart source: only RHEL 9's dracut knows inst.ks.all", () => {
    const rhel8 = parseInventory(labWith(["target: rhel9", "target: rhel8"]), LAB_FILE);
    const files = renderServer(rhel8, planTopology(rhel8), "server1", TEST_SECRETS);
    const f = fileAt(files, `${debian.tftpRoot}/pxelinux.cfg/C0A80081`).content;
    expect(f).toContain(
      "inst.ks=ftp://192.168.0.253/pub/rh9/ksodd.cfg inst.stage2=ftp://192.168.0.253/pub/rh9 ",
    );
    expect(f).not.toContain("inst.ks.all");
  });

  it("have a default that boots the local disk and installs nothing", () => {
    const f = fileAt(server1, `${debian.tftpRoot}/pxelinux.cfg/default`).content;
    expect(f).toMatch(/^DEFAULT local$/m);
    expect(f).toMatch(/LOCALBOOT 0/);
    expect(f).not.toMatch(/KERNEL|APPEND|ks=/);
  });

  it("use the paper's ks= for the legacy target", () => {
    const legacy = parseInventory(labWith(["target: rhel9", "target: legacy"]), LAB_FILE);
    const files = renderServer(legacy, planTopology(legacy), "server1", TEST_SECRETS);
    const f = fileAt(files, `${debian.tftpRoot}/pxelinux.cfg/C0A80081`).content;
    expect(f).toContain("ks=ftp://192.168.0.253/pub/rh9/ksodd.cfg");
    expect(f).not.toContain("inst.");
    const ks = fileAt(files, `${debian.ftpRoot}/pub/rh9/ksodd.cfg`).content;
    expect(lintKickstart(ks, "legacy").problems).toEqual([]);
    expect(ks).toMatch(/^install$/m);
  });
});

describe("kickstart files", () => {
  for (const s of topo.servers) {
    const path = `${debian.ftpRoot}/pub/rh9/${s.kickstartFile}`;

    it(`${s.kickstartFile} is a complete RHEL 9 kickstart installing from ${s.vip}`, () => {
      const f = fileAt(server1, path);
      const lint = lintKickstart(f.content, "rhel9");
      expect(lint.problems).toEqual([]);
      expect(f.content).toMatch(
        new RegExp(`^url --url=ftp://${s.vip.replaceAll(".", "\\.")}/pub/rh9$`, "m"),
      );
      expect(f.content).toContain(`rootpw --iscrypted ${TEST_SECRETS.rootpwHash}`);
      expect(f.content).toMatch(/^%packages\n[\s\S]*\n%end$/m);
    });

    it(`${s.kickstartFile} is on both servers, secret, and readable by anonymous FTP`, () => {
      const f = fileAt(server2, path);
      expect(f.content).toBe(fileAt(server1, path).content);
      expect(f.secret).toBe(true);
      expect(f.mode).toBe(0o644);
    });
  }
});

describe("heartbeat files", () => {
  it("ha.cf has the timings, a ucast line per peer on both paths and every node", () => {
    const cf = fileAt(server1, "/etc/ha.d/ha.cf").content;
    for (const line of [
      "keepalive 100ms",
      "warntime 300ms",
      "deadtime 500ms",
      "initdead 2",
      "udpport 694",
      "auto_failback on",
      "crm no",
      "node server1",
      "node server2",
      "ucast eth1 10.0.0.4",
    ])
      expect(cf).toMatch(new RegExp(`^${line}$`, "m"));
    // Two paths to the peer: the crossover (its heartbeat address) and the LAN (its address).
    expect(cf.match(/^ucast .*$/gm)).toEqual(["ucast eth1 10.0.0.4", "ucast eth0 192.168.0.2"]);
    expect(fileAt(server2, "/etc/ha.d/ha.cf").content.match(/^ucast .*$/gm)).toEqual([
      "ucast eth1 10.0.0.3",
      "ucast eth0 192.168.0.1",
    ]);
  });

  it("ha.cf follows the inventory's interfaces on both paths", () => {
    const other = parseInventory(
      labWith(
        [
          "heartbeat: { interface: eth1, address: 10.0.0.3 }",
          "heartbeat: { interface: hb0, address: 10.0.0.3 }",
        ],
        ["address: 192.168.0.1\n", "address: 192.168.0.1\n    interface: lan1\n"],
      ),
      LAB_FILE,
    );
    const files = renderServer(other, planTopology(other), "server1", TEST_SECRETS);
    expect(fileAt(files, "/etc/ha.d/ha.cf").content.match(/^ucast .*$/gm)).toEqual([
      "ucast hb0 10.0.0.4",
      "ucast lan1 192.168.0.2",
    ]);
  });

  it("haresources gives dhcpd to the first server and is identical on both", () => {
    const res = fileAt(server1, "/etc/ha.d/haresources").content;
    const lines = res.split("\n").filter((l) => l && !l.startsWith("#"));
    // ha.fence is set: each group starts by fencing its owner, before its VIP is added.
    expect(lines).toEqual([
      "server1 ksorch-fence::server1 ksorch-vip::192.168.0.253/24/eth0 isc-dhcp-server",
      "server2 ksorch-fence::server2 ksorch-vip::192.168.0.254/24/eth0",
    ]);
    expect(fileAt(server2, "/etc/ha.d/haresources").content).toBe(res);
  });

  it("haresources without ha.fence has no fence resource and no fence script", () => {
    const unfenced = parseInventory(
      labText().replace(/^ {2}fence: >-\n(?: {4}.*\n)+/m, ""),
      LAB_FILE,
    );
    expect(unfenced.ha.fence).toBeUndefined();
    for (const name of ["server1", "server2"]) {
      const files = renderServer(unfenced, planTopology(unfenced), name, TEST_SECRETS);
      const lines = fileAt(files, "/etc/ha.d/haresources")
        .content.split("\n")
        .filter((l) => l && !l.startsWith("#"));
      expect(lines).toEqual([
        "server1 ksorch-vip::192.168.0.253/24/eth0 isc-dhcp-server",
        "server2 ksorch-vip::192.168.0.254/24/eth0",
      ]);
      expect(files.filter((f) => f.path.includes("fence"))).toEqual([]);
    }
  });

  it("authkeys carries the key, is secret and mode 600", () => {
    const f = fileAt(server1, "/etc/ha.d/authkeys");
    expect(f).toMatchObject({ secret: true, mode: 0o600, owner: "root" });
    expect(f.content).toMatch(new RegExp(`^auth 1\n1 sha1 ${TEST_SECRETS.haKey}$`, "m"));
  });

  it("no file other than authkeys, the kickstarts and the fence script holds a secret", () => {
    // The fence command may carry a BMC password: only the fence script holds it.
    const fence = quote(inv.ha.fence ?? "");
    expect(fence).toContain("/dev/tcp/");
    for (const f of [...server1, ...server2]) {
      const leaks =
        f.content.includes(TEST_SECRETS.haKey) ||
        f.content.includes(TEST_SECRETS.rootpwHash) ||
        f.content.includes(fence);
      expect(leaks, f.path).toBe(f.secret);
    }
    const secrets = server1.filter((f) => f.secret && !f.path.endsWith(".cfg")).map((f) => f.path);
    expect(secrets).toEqual(["/etc/ha.d/authkeys", "/etc/ha.d/resource.d/ksorch-fence"]);
  });
});

describe("network and services", () => {
  it("/etc/hosts resolves both servers' node names and heartbeat names", () => {
    const hosts = fileAt(server1, "/etc/hosts").content;
    expect(hosts).toMatch(/^192\.168\.0\.1\tserver1$/m);
    expect(hosts).toMatch(/^192\.168\.0\.2\tserver2$/m);
    expect(hosts).toMatch(/^10\.0\.0\.4\tserver2-hb$/m);
    expect(hosts).toMatch(/^127\.0\.0\.1\tlocalhost$/m);
  });

  it("configures the crossover interface and ip_nonlocal_bind", () => {
    expect(fileAt(server2, "/etc/network/interfaces.d/eth1").content).toMatch(
      /address 10\.0\.0\.4\/24/,
    );
    expect(fileAt(server1, debian.sysctlFile).content).toMatch(
      /^net\.ipv4\.ip_nonlocal_bind = 1$/m,
    );
  });

  it("vsftpd is anonymous, read-only and container-safe on Debian", () => {
    const conf = fileAt(server1, debian.vsftpdConf).content;
    for (const l of [
      "listen=YES",
      "listen_ipv6=NO",
      "anonymous_enable=YES",
      "write_enable=NO",
      "anon_root=/srv/ftp",
      "no_anon_password=YES",
      "seccomp_sandbox=NO",
      "isolate=NO",
    ])
      expect(conf).toMatch(new RegExp(`^${l}$`, "m"));
    expect(conf).toMatch(/^pasv_min_port=\d+$/m);
  });

  it("tftpd listens on every address so it answers for a VIP it takes over", () => {
    const conf = fileAt(server1, debian.tftp.path).content;
    expect(conf).toMatch(/^TFTP_ADDRESS="0\.0\.0\.0:69"$/m);
    expect(conf).toMatch(/^TFTP_DIRECTORY="\/srv\/tftp"$/m);
  });

  it("every path is absolute and unique per server", () => {
    for (const files of cluster.values()) {
      const paths = files.map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
      for (const p of paths) expect(p.startsWith("/")).toBe(true);
    }
  });
});

describe("the kickstart check itself", () => {
  const good = fileAt(server1, `${debian.ftpRoot}/pub/rh9/ksodd.cfg`).content;

  it.each([
    ["an unclosed %packages", good.replace(/\n%end\s*$/, "\n")],
    ["a command removed in RHEL 9", `install\n${good}`],
    ["a missing url", good.replace(/^url .*$/m, "")],
    ["an unknown command", `frobnicate --now\n${good}`],
  ])("flags %s", (_what, text) => {
    expect(lintKickstart(text, "rhel9").problems).not.toEqual([]);
  });
});
