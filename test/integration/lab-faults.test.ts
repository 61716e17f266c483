// The lab's faults against a real lab, each checked by its effect and by its undo: power
// cycle (disk kept, /run fresh, same host key), service stop, process kill, link cut (LAN and
// crossover) and link shaping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cutLink,
  execInHost,
  killProcess,
  powerOff,
  shapeLink,
  stopService,
} from "../../src/lab/faults.js";
import { runOk } from "../../src/lab/run.js";
import type { LabStatus } from "../../src/lab/status.js";
import { freshLab, removeLab, ssh, testLab } from "./helpers/lab.js";

const LAB = testLab("ftlab");

async function sh(host: string, script: string): Promise<string> {
  const r = await execInHost(LAB, host, ["sh", "-c", script]);
  return (r.stdout + r.stderr).trim();
}

const pings = (from: string, to: string): Promise<string> =>
  sh(from, `ping -c2 -i0.2 -W1 ${to} >/dev/null && echo yes || echo no`);

describe("lab faults", () => {
  let status: LabStatus;
  const port = (): number => status.servers[0]?.sshPort ?? 0;

  beforeAll(async () => {
    status = await freshLab(LAB, ["--clients", "1"]);
  });
  afterAll(async () => {
    await removeLab(LAB);
  });

  it("powers a server off and on: disk kept, /run fresh, same host key, sshd back", async () => {
    await sh("server1", "echo kept > /root/marker && touch /run/marker");
    const off = await powerOff(LAB, "server1");
    expect((await ssh(status, port(), "true")).code).not.toBe(0);
    expect(await pings("server2", "192.168.0.1")).toBe("no");
    await off.undo();
    const r = await ssh(status, port(), "cat /root/marker; ls /run/marker 2>/dev/null; hostname");
    expect(r.stdout.trim().split("\n")).toEqual(["kept", "server1"]);
    expect(await pings("server2", "192.168.0.1")).toBe("yes");
  });

  it("stops a service and starts it again", async () => {
    const f = await stopService(LAB, "server1", "ssh");
    expect((await ssh(status, port(), "true")).code).not.toBe(0);
    await f.undo();
    expect((await ssh(status, port(), "hostname")).stdout.trim()).toBe("server1");
  });

  it("kills a process by name inside one host only", async () => {
    const before = await sh("server2", "pgrep -x sshd");
    const f = await killProcess(LAB, "server1", { process: "sshd", service: "ssh" });
    expect(f.description).toMatch(/kill -KILL sshd/);
    expect(await sh("server1", "pgrep -x sshd || echo none")).toBe("none");
    expect(await sh("server2", "pgrep -x sshd")).toBe(before);
    await f.undo();
    expect((await ssh(status, port(), "hostname")).stdout.trim()).toBe("server1");
  });

  it("cuts and restores the LAN link and the crossover link", async () => {
    expect(await pings("server1", "192.168.0.2")).toBe("yes");
    const lan = await cutLink(LAB, "server2", "eth0");
    expect(await pings("server1", "192.168.0.2")).toBe("no");
    await lan.undo();
    expect(await pings("server1", "192.168.0.2")).toBe("yes");

    await sh("server1", "ip addr add 10.0.0.3/24 dev eth1");
    await sh("server2", "ip addr add 10.0.0.4/24 dev eth1");
    expect(await pings("server1", "10.0.0.4")).toBe("yes");
    const hb = await cutLink(LAB, "server1", "eth1");
    expect(await pings("server2", "10.0.0.3")).toBe("no");
    await hb.undo();
    expect(await pings("server2", "10.0.0.3")).toBe("yes");
  });

  it("shapes a link to 100 Mbit/s in both directions, and undoes it", async () => {
    const qdiscs = async (): Promise<string> =>
      (await sh("server2", "tc qdisc show dev eth0")) +
      "\n" +
      (await runOk(["tc", "-n", `${LAB}.switch`, "qdisc", "show", "dev", "s2"])).stdout;
    const f = await shapeLink(LAB, "server2", "eth0", { rateMbit: 100 });
    expect((await qdiscs()).match(/tbf .*rate 100Mbit/g)).toHaveLength(2);
    expect(await pings("server1", "192.168.0.2")).toBe("yes");
    await f.undo();
    expect(await qdiscs()).not.toMatch(/tbf/);
  });
});
