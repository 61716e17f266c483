// The ready check (templates/ha-ready.sh.ejs) run for real, in a network namespace of its own:
// `ss` sees who listens, and a stand-in tftpd (a UDP socket on port 69 that records what it
// receives) shows the priming request arriving once per process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadInventory } from "../../src/inventory/load.js";
import { READY_SCRIPT } from "../../src/render/guard.js";
import { renderServer } from "../../src/render/render.js";
import { planTopology } from "../../src/topology/plan.js";
import { inSandbox, type SandboxRun } from "../helpers/sandbox.js";
import { LAB_FILE } from "../inventory/fixture.js";
import { TEST_SECRETS, fileAt } from "./fixture.js";

const inv = loadInventory(LAB_FILE);
const ready = fileAt(renderServer(inv, planTopology(inv), "server1", TEST_SECRETS), READY_SCRIPT);
const dir = mkdtempSync(join(tmpdir(), "ksorch-ready-"));
writeFileSync(join(dir, "ready"), ready.content, { mode: 0o755 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// tftpd on UDP 69 and the FTP server on TCP 21, in one process: every datagram is appended
// to $1, the PID written to $1.pid.
const LISTENER = String.raw`
import os, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 69))
t = socket.socket()
t.bind(("0.0.0.0", 21))
t.listen()
open(sys.argv[1] + ".pid", "w").write(str(os.getpid()))
while True:
    data, _ = u.recvfrom(600)
    with open(sys.argv[1], "ab") as f:
        f.write(data)
`;

/** Runs `script` in a sandbox (../helpers/sandbox.ts), the check and the listener in $D. */
function sandbox(script: string): SandboxRun {
  writeFileSync(join(dir, "listener.py"), LISTENER);
  return inSandbox(script, { env: { ...process.env, D: dir } });
}

const SETUP =
  'ip link set lo up; mount -t proc proc /proc; mount -t tmpfs none /run; rm -f "$D/got" "$D/got.pid"';
const LISTEN =
  '/usr/bin/python3 "$D/listener.py" "$D/got" & until [ -s "$D/got.pid" ]; do sleep 0.1; done';

describe("the ready check", () => {
  it("fails at once while tftpd and the tree's server do not listen", () => {
    const r = sandbox(`${SETUP}; "$D/ready"; echo "rc=$?"`);
    expect(r.output.trim()).toBe("rc=1");
  });

  it("passes once both listen, priming tftpd with one request per process", () => {
    const r = sandbox(
      [
        SETUP,
        LISTEN,
        '"$D/ready" 5; echo "first=$?"',
        '"$D/ready"; echo "second=$?"',
        "sleep 0.3",
        'echo "primed=$(cat /run/ksorch-tftpd-primed) pid=$(cat "$D/got.pid")"',
      ].join("\n"),
    );
    expect(r.output).toContain("first=0\nsecond=0\n");
    const m = /primed=(\d+) pid=(\d+)/.exec(r.output);
    expect(m?.[1], r.output).toBe(m?.[2]);
    // One read request for pxelinux.cfg/default, octet mode: the second pass sent none.
    expect(readFileSync(join(dir, "got"), "latin1")).toBe("\0\x01pxelinux.cfg/default\0octet\0");
  });

  it("with SECONDS, waits for services that start later", () => {
    const r = sandbox(
      [
        SETUP,
        '( "$D/ready" 10; echo "rc=$?" ) & check=$!',
        "sleep 1.5",
        LISTEN,
        'wait "$check"',
      ].join("\n"),
    );
    expect(r.output.trim()).toBe("rc=0");
  });
});
