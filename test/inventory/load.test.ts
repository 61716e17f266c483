import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { durationMs } from "../../src/inventory/duration.js";
import { loadInventory, parseInventory } from "../../src/inventory/load.js";
import { LAB_FILE, byField, diagnosticsOf, labText, labWith, lineOf } from "./fixture.js";

describe("loadInventory on the lab inventory", () => {
  const inv = loadInventory(LAB_FILE);

  it("keeps servers and clients in file order", () => {
    expect(inv.servers.map((s) => s.name)).toEqual(["server1", "server2"]);
    expect(inv.clients.map((c) => c.name)).toEqual(
      Array.from({ length: 8 }, (_, i) => `client${i + 1}`),
    );
  });

  it("turns durations into milliseconds", () => {
    expect(inv.ha).toMatchObject({
      keepaliveMs: 100,
      warntimeMs: 300,
      deadtimeMs: 500,
      initdeadMs: 2000,
      maxTakeoverMs: 2000,
      udpPort: 694,
    });
  });

  it("loads ha.ping and ha.fence (the folded fence command as one line)", () => {
    expect(inv.ha.ping).toBe("192.168.0.250");
    expect(inv.ha.fence).toBe(
      `bash -c 'exec 3<>/dev/tcp/192.168.0.250/6230 && echo "$KSORCH_PEER" >&3 && ` +
        `read -r -t 5 reply <&3 && [ "$reply" = off ]'`,
    );
  });

  it("merges the shared ssh block into every server and applies defaults", () => {
    for (const s of inv.servers) {
      expect(s.ssh.user).toBe("root");
      expect(s.ssh.key).toBe("/var/lib/ksorch/labs/lab/ssh/id_ed25519");
      expect(s.ssh.knownHosts).toBe("/var/lib/ksorch/labs/lab/ssh/known_hosts");
      expect(s.interface).toBe("eth0");
    }
    expect(inv.servers.map((s) => s.ssh.port)).toEqual([2201, 2202]);
    expect(inv.network).toEqual({
      subnet: "192.168.0.0/24",
      prefixLength: 24,
      netmask: "255.255.255.0",
    });
    expect(inv.name).toBe("lab");
  });
});

describe("defaults and path resolution", () => {
  const minimal = `
name: cluster
network: { subnet: 10.1.0.0/16 }
ssh: { key: keys/id, known_hosts: ../kh }
servers:
  a: { ssh: { host: h1, port: 2222, user: admin }, address: 10.1.0.1, heartbeat: { interface: eth1, address: 172.16.0.1 }, vip: 10.1.0.100 }
  b: { ssh: { host: h2 }, address: 10.1.0.2, heartbeat: { interface: eth1, address: 172.16.0.2 }, vip: 10.1.0.101 }
install: { path: pub/el9/, source: tree }
clients:
  c1: { mac: "AA-BB-CC-00-11-22", ip: 10.1.5.7 }
`;
  const inv = parseInventory(minimal, "/site/inv/cluster.yaml");

  it("resolves relative paths against the inventory's folder", () => {
    expect(inv.servers[0]?.ssh.key).toBe("/site/inv/keys/id");
    expect(inv.servers[1]?.ssh.knownHosts).toBe("/site/kh");
    expect(inv.install.source).toBe("/site/inv/tree");
  });

  it("lets a server's own ssh settings win over the shared ones", () => {
    expect(inv.servers[0]?.ssh).toMatchObject({ host: "h1", port: 2222, user: "admin" });
    expect(inv.servers[1]?.ssh).toMatchObject({ host: "h2", port: 22, user: "root" });
  });

  it("applies the documented defaults", () => {
    expect(inv.servers[0]).toMatchObject({ interface: "eth0", os: "rhel" });
    expect(inv.servers[0]?.heartbeat.prefixLength).toBe(24);
    expect(inv.install).toMatchObject({
      protocol: "ftp",
      path: "pub/el9",
      balance: "parity",
      kickstart: { target: "rhel9" },
      uefi: { secureBoot: true },
    });
    // Red Hat (the default os) packages no heartbeat: keepalived is its default engine.
    expect(inv.ha).toMatchObject({
      engine: "keepalived",
      keepaliveMs: 200,
      deadtimeMs: 1000,
      warntimeMs: 500,
      initdeadMs: 2000,
      autoFailback: true,
      udpPort: 694,
    });
    expect(inv.dhcp).toEqual({ server: "isc", haMode: "hot-standby", haPort: 8001 });
    expect(inv.name).toBe("cluster");
  });

  it("normalises MACs to lower case with colons", () => {
    expect(inv.clients[0]?.mac).toBe("aa:bb:cc:00:11:22");
  });
});

describe("durationMs", () => {
  it.each([
    ["200ms", 200],
    ["1s", 1000],
    ["2.5s", 2500],
    [3, 3000],
    ["0.05s", 50],
  ] as const)("%s -> %i ms", (input, ms) => {
    expect(durationMs(input)).toBe(ms);
  });
});

describe("hostile inventories", () => {
  it("names the line of a repeated MAC, even in another case", () => {
    const text = labWith([
      'client2: { mac: "00:0c:29:20:50:91"',
      'client2: { mac: "00:0C:29:20:50:90"',
    ]);
    const d = byField(diagnosticsOf(text), "clients.client2.mac");
    expect(d.line).toBe(lineOf(text, "client2:"));
    const repeat = text.split("\n")[(d.line ?? 0) - 1] ?? "";
    expect(d.column).toBe(repeat.indexOf('"00:0C') + 1);
    expect(d.message).toContain("client1");
    expect(d.message).toContain(`line ${lineOf(text, "client1:")}`);
    expect(d.file).toBe("/inv/test.yaml");
  });

  it("rejects addresses outside the subnet", () => {
    const text = labWith(
      ["ip: 192.168.0.131", "ip: 192.168.1.131"],
      ["address: 192.168.0.2", "address: 192.168.0.255"],
    );
    const diags = diagnosticsOf(text);
    expect(byField(diags, "clients.client4.ip").message).toContain("outside the subnet");
    expect(byField(diags, "clients.client4.ip").hint).toContain("192.168.0.0/24");
    expect(byField(diags, "servers.server2.address").message).toContain("broadcast");
  });

  it("rejects a VIP that is also a client's address", () => {
    const text = labWith(["ip: 192.168.0.130", "ip: 192.168.0.253"]);
    const d = byField(diagnosticsOf(text), "clients.client3.ip");
    expect(d.message).toContain("server1's VIP");
    expect(d.line).toBe(lineOf(text, "client3:"));
  });

  it.each(["client;rm -rf /", "$(reboot)", "a b", "x`id`", "-flag", "9lives"])(
    "rejects the name %j",
    (name) => {
      const text = labWith(["client3:", `${JSON.stringify(name)}:`]);
      const d = byField(diagnosticsOf(text), `clients.${name}`);
      expect(d.message).toContain("invalid name");
      expect(d.hint).toContain("letters, digits");
      expect(d.line).toBe(lineOf(text, JSON.stringify(name)));
    },
  );

  it("reports wrong types with what would be valid", () => {
    const text = labWith(
      ["port: 2202", "port: '2202'"],
      ["auto_failback: true", "auto_failback: yes"],
      ["vip: 192.168.0.254", "vip: [192.168.0.254]"],
    );
    const diags = diagnosticsOf(text);
    expect(byField(diags, "servers.server2.ssh.port").hint).toContain("1 to 65535");
    expect(byField(diags, "ha.auto_failback").hint).toContain("true or false");
    expect(byField(diags, "servers.server2.vip").message).toContain("list");
  });

  it("reads install.uefi.secure_boot, and names it with true or false when it is not a boolean", () => {
    const off = parseInventory(labWith(["secure_boot: true", "secure_boot: false"]), LAB_FILE);
    expect(off.install.uefi.secureBoot).toBe(false);
    const text = labWith(["secure_boot: true", "secure_boot: sometimes"]);
    const d = byField(diagnosticsOf(text), "install.uefi.secure_boot");
    expect(d.message).toBe('expected true or false, got string "sometimes"');
    expect(d.hint).toContain("signed shim");
    expect(d.line).toBe(lineOf(text, "secure_boot: sometimes"));
  });

  it("reports an unknown key at the key, listing the valid ones", () => {
    const text = labWith(["  keepalive: 100ms", "  keepalvie: 100ms"]);
    const d = byField(diagnosticsOf(text), "ha.keepalvie");
    expect(d.message).toBe('unknown key "keepalvie"');
    expect(d.hint).toContain("keepalive");
    expect(d.line).toBe(lineOf(text, "keepalvie"));
    expect(d.column).toBe(3);
  });

  it("still runs the cross-field rules when a key is unknown", () => {
    const text = labWith(['"00:0c:29:20:50:91"', '"00:0C:29:20:50:90"']) + "extra_key: 1\n";
    const diags = diagnosticsOf(text);
    expect(byField(diags, "extra_key").message).toBe('unknown key "extra_key"');
    expect(byField(diags, "clients.client2.mac").message).toContain("already used");
  });

  it("reports YAML syntax errors with their line", () => {
    const text = labWith(["  deadtime: 500ms", "  deadtime: [500ms"]);
    const diags = diagnosticsOf(text);
    expect(diags.length).toBeGreaterThan(0);
    expect(diags[0]?.line).toBeGreaterThanOrEqual(lineOf(text, "deadtime: [500ms"));
  });

  it("reports a duplicated client name (a YAML duplicate key) at its line", () => {
    const text = labWith(["client4:", "client3:"]);
    const d = diagnosticsOf(text)[0];
    expect(d?.message).toMatch(/unique/i);
    expect(d?.line).toBe(lineOf(text, 'client3: { mac: "00:0c:29:20:50:93"'));
  });

  it("enforces heartbeat's timing rules", () => {
    // keepalive 100ms: a deadtime of exactly twice that is refused, as heartbeat refuses it.
    const tooShort = diagnosticsOf(labWith(["deadtime: 500ms", "deadtime: 200ms"]));
    expect(byField(tooShort, "ha.deadtime").message).toBe(
      "deadtime 200ms is not more than twice keepalive 100ms",
    );
    const initdead = diagnosticsOf(labWith(["initdead: 2s", "initdead: 400ms"]));
    expect(byField(initdead, "ha.initdead").message).toContain("below deadtime");
    const warn = diagnosticsOf(labWith(["warntime: 300ms", "warntime: 100ms"]));
    expect(byField(warn, "ha.warntime").hint).toBe("keepalive < warntime < deadtime");
  });

  it("rejects heartbeat addresses on different subnets or inside the LAN", () => {
    const text = labWith(["address: 10.0.0.4", "address: 10.0.1.4"]);
    expect(byField(diagnosticsOf(text), "servers.server2.heartbeat.address").message).toContain(
      "heartbeat subnet",
    );
    const lan = labWith(["address: 10.0.0.4", "address: 192.168.0.9"]);
    expect(byField(diagnosticsOf(lan), "servers.server2.heartbeat.address").message).toContain(
      "inside the LAN",
    );
  });

  it("rejects parity balancing with other than two servers", () => {
    const text = labText().replace(/ {2}server2:[\s\S]*?os: debian\n/, "");
    const diags = diagnosticsOf(text);
    expect(byField(diags, "install.balance").message).toContain("exactly 2 servers");
  });

  it("reports every problem at once, in line order", () => {
    const text = labWith(
      ['client2: { mac: "00:0c:29:20:50:91"', 'client2: { mac: "00:0c:29:20:50:90"'],
      ["ip: 192.168.0.135", "ip: 10.0.0.135"],
      ["deadtime: 500ms", "deadtime: 200ms"],
    );
    const diags = diagnosticsOf(text);
    expect(diags.map((d) => d.field)).toEqual(
      expect.arrayContaining(["clients.client2.mac", "clients.client8.ip", "ha.deadtime"]),
    );
    const lines = diags.map((d) => d.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it("reports schema and cross-field problems of different entries together", () => {
    const text = labWith(
      ['client2: { mac: "00:0c:29:20:50:91"', 'client2: { mac: "00:0c:29:20:50:90"'],
      ["client5:", '"client5;reboot":'],
      ["port: 2202", "port: -1"],
    );
    const fields = diagnosticsOf(text).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "clients.client2.mac",
        "clients.client5;reboot",
        "servers.server2.ssh.port",
      ]),
    );
    // server2 was set aside for its bad port: the two-server rules must not fire because of it.
    expect(fields).not.toContain("install.balance");
  });

  it("rejects a subnet with host bits set", () => {
    const d = byField(
      diagnosticsOf(labWith(["192.168.0.0/24", "192.168.0.7/24"])),
      "network.subnet",
    );
    expect(d.message).toContain("192.168.0.0");
  });

  it("locates a problem on each of 20,000 clients in seconds (a search per problem took minutes)", () => {
    const n = 20_000;
    const hex = (i: number) => (i & 255).toString(16).padStart(2, "0");
    const clients = Array.from(
      { length: n },
      (_, i) =>
        `  pc${i}: { mac: "02:00:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}", ip: 10.9.${(i >> 8) & 255}.${i & 255} }`,
    );
    const text = labText().replace(/^clients:\n[\s\S]*$/m, `clients:\n${clients.join("\n")}\n`);
    const t0 = performance.now();
    const diags = diagnosticsOf(text);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(diags).toHaveLength(n);
    expect(diags.at(-1)).toMatchObject({
      field: `clients.pc${n - 1}.ip`,
      line: lineOf(text, `pc${n - 1}:`),
    });
  }, 60_000);

  it("throws InputError for a missing file", () => {
    expect(() => loadInventory("/nonexistent/inventory.yaml")).toThrow(InputError);
  });
});

describe("the cluster id (name)", () => {
  it("is required: a missing name is an error at the first key that says what to add", () => {
    const text = labText().replace(/^name: lab\n/m, "");
    expect(text).not.toMatch(/^name:/m);
    const d = byField(diagnosticsOf(text), "name");
    expect(d).toMatchObject({ line: lineOf(text, "network:"), message: "missing" });
    expect(d.hint).toContain("name: site1 at the top of the file");
  });

  it("is the same under any file name: renaming or copying changes nothing", () => {
    const a = parseInventory(labText(), "/site/lab.yaml");
    const b = parseInventory(labText(), "/elsewhere/copy of lab.yaml");
    expect([a.name, b.name]).toEqual(["lab", "lab"]);
  });

  it.each(["lab\nrm -rf /", "my lab", "-lab", "lab;reboot", "x".repeat(64), ""])(
    "refuses the cluster id %j at its line",
    (id) => {
      const text = labText().replace(/^name: lab$/m, `name: ${JSON.stringify(id)}`);
      const d = byField(diagnosticsOf(text), "name");
      expect(d.line).toBe(lineOf(text, "name: "));
      expect(d.message).toContain("not a valid cluster id");
    },
  );
});

describe("ha.ping and ha.fence", () => {
  const FILE = "/inv/test.yaml";
  const PING = "ping: 192.168.0.250";

  /** The one diagnostic on ha.ping, at the ping line of `text`, in FILE. */
  function pingProblem(text: string) {
    const d = byField(diagnosticsOf(text, FILE), "ha.ping");
    expect(d.file).toBe(FILE);
    expect(d.line).toBe(lineOf(text, "  ping: "));
    const line = text.split("\n")[(d.line ?? 0) - 1] ?? "";
    expect(d.column).toBe(line.indexOf("ping: ") + "ping: ".length + 1);
    return d;
  }

  it("are optional: the lab without them loads, with neither set", () => {
    const text = labText()
      .replace(/^ {2}ping: .*\n/m, "")
      .replace(/^ {2}fence: >-\n(?: {4}.*\n)+/m, "");
    expect(text).not.toMatch(/ping:|fence:/);
    const inv = parseInventory(text, FILE);
    expect(inv.ha.ping).toBeUndefined();
    expect(inv.ha.fence).toBeUndefined();
    expect(inv.ha.engine).toBe("heartbeat");
  });

  it.each([
    ["a server's address", "192.168.0.2", "server2's address", "address: 192.168.0.2"],
    ["a VIP", "192.168.0.253", "server1's VIP", "vip: 192.168.0.253"],
    ["a client's IP", "192.168.0.131", "client client4", "ip: 192.168.0.131"],
  ])("refuses ha.ping equal to %s, at its line, naming the first use", (_w, ip, first, at) => {
    const text = labWith([PING, `ping: ${ip}`]);
    const d = pingProblem(text);
    expect(d.message).toBe(
      `address ${ip} of ha.ping is already used by ${first} (line ${lineOf(text, at)})`,
    );
    expect(d.hint).toContain("unique");
  });

  it("refuses ha.ping outside the subnet, or its network or broadcast address", () => {
    const outside = pingProblem(labWith([PING, "ping: 192.168.1.250"]));
    expect(outside.message).toBe("192.168.1.250 is outside the subnet");
    expect(outside.hint).toContain("192.168.0.0/24");
    const broadcast = pingProblem(labWith([PING, "ping: 192.168.0.255"]));
    expect(broadcast.message).toBe("192.168.0.255 is the subnet's network or broadcast address");
  });

  it("refuses a ping that is not an IPv4 address, saying what is valid", () => {
    const d = pingProblem(labWith([PING, "ping: gateway.example"]));
    expect(d.hint).toContain("always-reachable LAN address");
  });

  it("refuses ha.fence with keepalived, naming heartbeat, at the fence line", () => {
    const text = labWith(["engine: heartbeat", "engine: keepalived"]);
    const d = byField(diagnosticsOf(text, FILE), "ha.fence");
    expect(d.file).toBe(FILE);
    expect(d.line).toBe(lineOf(text, "  fence: >-"));
    expect(d.message).toContain("heartbeat only");
    expect(d.hint).toBe("remove ha.fence, or use engine: heartbeat (2 servers)");
    // Without the fence, the same keepalived inventory is accepted with its ping.
    const unfenced = text.replace(/^ {2}fence: >-\n(?: {4}.*\n)+/m, "");
    expect(parseInventory(unfenced, FILE).ha).toMatchObject({
      engine: "keepalived",
      ping: "192.168.0.250",
    });
  });

  it("refuses an empty fence command", () => {
    const text = labText().replace(/^ {2}fence: >-\n(?: {4}.*\n)+/m, '  fence: ""\n');
    const d = byField(diagnosticsOf(text, FILE), "ha.fence");
    expect(d.line).toBe(lineOf(text, '  fence: ""'));
  });

  it("rejects through InputError (exit 2), so nothing on any server is touched", () => {
    expect(() => parseInventory(labWith([PING, "ping: 192.168.0.1"]), FILE)).toThrow(InputError);
    expect(() =>
      parseInventory(labWith(["engine: heartbeat", "engine: keepalived"]), FILE),
    ).toThrow(InputError);
  });
});
