import { describe, expect, it } from "vitest";
import { InputError, type Diagnostic } from "../../src/errors.js";
import { parseInventory } from "../../src/inventory/load.js";
import { planTopology } from "../../src/topology/plan.js";
import { labText } from "./fixture.js";

const INV = "/site/inventory.yaml";
const CSV = "/site/clients.csv";

/** The lab inventory with its clients taken from CSV text (plus any YAML `extra` clients). */
function withCsv(csv: string, extra = ""): { text: string; read: (f: string) => string } {
  const text = labText().replace(/^clients:\n[\s\S]*$/m, `clients:\n  from: clients.csv\n${extra}`);
  expect(text).toContain("from: clients.csv");
  const read = (f: string): string => {
    if (f !== CSV) throw Object.assign(new Error(`no ${f}`), { code: "ENOENT" });
    return csv;
  };
  return { text, read };
}

function problems(csv: string, extra = ""): Diagnostic[] {
  const { text, read } = withCsv(csv, extra);
  try {
    parseInventory(text, INV, read);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).diagnostics;
  }
  throw new Error("expected the inventory to be rejected");
}

describe("clients: { from: clients.csv }", () => {
  it("reads name, mac, ip and server in any column order, with a BOM, comments and quotes", () => {
    const csv =
      "\ufeffIP,Name,MAC,server\n" +
      "# the lab bench\n" +
      '192.168.0.128,pc1,"00:0C:29:20:50:90",\n' +
      "\n" +
      "192.168.0.129;pc2;00-0c-29-20-50-91;server1\n";
    const { text, read } = withCsv(csv);
    const inv = parseInventory(text, INV, read);
    expect(inv.clients).toEqual([
      { name: "pc1", mac: "00:0c:29:20:50:90", ip: "192.168.0.128" },
      { name: "pc2", mac: "00:0c:29:20:50:91", ip: "192.168.0.129", server: "server1" },
    ]);
    // pc2's odd IP would go to server2 by parity; its server column sends it to server1.
    const plan = planTopology(inv).clients;
    expect(plan.map((c) => [c.client, c.server, c.backup, c.kickstartFile])).toEqual([
      ["pc1", "server2", "server1", "kseven.cfg"],
      ["pc2", "server1", "server2", "ksodd.cfg"],
    ]);
  });

  it("keeps the YAML's own clients beside the CSV's", () => {
    const { text, read } = withCsv(
      "name,mac,ip\npc1,00:0c:29:20:50:90,192.168.0.128\n",
      '  bench: { mac: "00:0c:29:20:50:99", ip: 192.168.0.140 }\n',
    );
    expect(parseInventory(text, INV, read).clients.map((c) => c.name)).toEqual(["bench", "pc1"]);
  });

  it("names the CSV file, line and field of each bad row, all at once, with what is valid", () => {
    const csv = [
      "name,mac,ip,server",
      "pc1,00:0c:29:20:50:90,192.168.0.128,",
      "pc2,00:0c:29:zz:50:91,192.168.0.129,",
      "pc3,00:0c:29:20:50:92,10.9.9.9,",
      "pc4,00:0c:29:20:50:90,192.168.0.131,",
      "pc5,00:0c:29:20:50:94,192.168.0.132,server9",
      "pc1,00:0c:29:20:50:95,192.168.0.133,",
      "pc7,00:0c:29:20:50:96",
      "bad name,00:0c:29:20:50:97,192.168.0.135,",
    ].join("\n");
    const d = problems(csv);
    const at = (line: number) => d.filter((x) => x.file === CSV && x.line === line);
    expect(at(3)[0]).toMatchObject({
      field: "clients.pc2.mac",
      message: expect.stringMatching(/not a MAC/),
    });
    expect(at(3)[0]?.hint).toMatch(/six hex pairs/);
    expect(at(4)[0]).toMatchObject({
      field: "clients.pc3.ip",
      message: expect.stringMatching(/outside the subnet/),
    });
    expect(at(5)[0]).toMatchObject({
      field: "clients.pc4.mac",
      message: "MAC 00:0c:29:20:50:90 of client pc4 is already used by client pc1 (line 2)",
    });
    expect(at(6)[0]).toMatchObject({
      field: "clients.pc5.server",
      hint: expect.stringMatching(/one of server1, server2/),
    });
    expect(at(7)[0]).toMatchObject({ message: "client pc1 is already on line 2" });
    expect(at(8)[0]).toMatchObject({ message: "2 fields, the header has 4" });
    expect(at(9)[0]).toMatchObject({
      field: "clients.bad name",
      message: 'invalid name "bad name"',
    });
    expect(d).toHaveLength(7);
  });

  it("points a clash between a YAML client and a CSV row at both", () => {
    const d = problems(
      "name,mac,ip\nbench,00:0c:29:20:50:90,192.168.0.128\n",
      '  bench: { mac: "00:0c:29:20:50:99", ip: 192.168.0.140 }\n',
    );
    expect(d).toEqual([
      expect.objectContaining({
        file: CSV,
        line: 2,
        message: `client bench is also in ${INV} (line ${
          labText()
            .split("\n")
            .findIndex((l) => l.startsWith("clients:")) + 3
        })`,
      }),
    ]);
  });

  it("refuses a header without the required columns, and an unknown column", () => {
    expect(problems("name,ip\npc1,192.168.0.128\n")).toEqual([
      expect.objectContaining({ file: CSV, line: 1, message: "no column mac in the header" }),
    ]);
    expect(problems("00:0c:29:20:50:90,192.168.0.128,pc1\n")[0]).toMatchObject({
      file: CSV,
      line: 1,
      message: 'unknown column "00:0c:29:20:50:90"',
      hint: expect.stringMatching(/first row naming the columns: name,mac,ip/),
    });
  });

  it("reports a quote left open with its line", () => {
    const d = problems('name,mac,ip\npc1,"00:0c:29:20:50:90,192.168.0.128\n');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ file: CSV, line: expect.any(Number) });
    expect(d[0]?.message).toMatch(/quote/i);
  });

  it("reports a missing CSV at the inventory's clients.from line, and nothing else", () => {
    const { text } = withCsv("");
    try {
      parseInventory(text, INV, () => {
        throw Object.assign(new Error("gone"), { code: "ENOENT" });
      });
      throw new Error("expected a rejection");
    } catch (err) {
      const d = (err as InputError).diagnostics;
      expect(d).toEqual([
        expect.objectContaining({
          file: INV,
          field: "clients.from",
          line: text.split("\n").findIndex((l) => l.includes("from: clients.csv")) + 1,
          message: `cannot read ${CSV} (ENOENT)`,
        }),
      ]);
    }
  });
});
