// SshTransport against an in-process SSH server (ssh2's Server) whose exec runs /bin/sh: host
// key checking (known, unknown, accepted on request, changed), commands, stdin, exit codes,
// timeouts, one connection for many commands.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectError } from "../../src/errors.js";
import { SshTransport, type SshTarget } from "../../src/transport/ssh.js";

const { Server, utils } = ssh2;

let dir: string;
let port = 0;
let connections = 0;
let server: InstanceType<typeof Server>;
let hostLine: string;
const MAX_SESSIONS = 10;

/** Whether `pid` still runs (a zombie waiting for its reaper does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
}

function keygen(file: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ksorch-ssh-"));
  keygen(join(dir, "host"));
  keygen(join(dir, "user"));
  const userPub = utils.parseKey(await readFile(join(dir, "user.pub")));
  if (userPub instanceof Error) throw userPub;
  server = new Server({ hostKeys: [await readFile(join(dir, "host"))] }, (client) => {
    connections += 1;
    client.on("authentication", (ctx) => {
      const ok = ctx.method === "publickey" && ctx.key.data.equals(userPub.getPublicSSH());
      if (ok) ctx.accept();
      else ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      // Like OpenSSH's MaxSessions: an 11th session open at once is refused.
      let open = 0;
      client.on("session", (accept, reject) => {
        if (open >= MAX_SESSIONS) return void reject();
        open += 1;
        const session = accept();
        session.once("close", () => (open -= 1));
        session.once("exec", (acc, _rej, info) => {
          const stream = acc();
          // Answer at once: output, exit status and close leave in the same write as the exec
          // reply, as a fast command's do from a real sshd.
          if (info.command.endsWith("sh -c instant")) {
            stream.write("now\n");
            stream.exit(0);
            stream.end();
            return;
          }
          const p = spawn("/bin/sh", ["-c", info.command]);
          stream.pipe(p.stdin);
          p.stdout.pipe(stream, { end: false });
          p.stderr.pipe(stream.stderr, { end: false });
          p.on("close", (code) => {
            stream.exit(code ?? 255);
            stream.end();
          });
        });
      });
    });
    client.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
  const [type, key] = (await readFile(join(dir, "host.pub"), "utf8")).split(" ");
  hostLine = `[127.0.0.1]:${port} ${type} ${key}\n`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function target(knownHosts: string, extra: Partial<SshTarget> = {}): Promise<SshTarget> {
  const file = join(dir, `kh-${Math.random()}`);
  await writeFile(file, knownHosts);
  return {
    name: "s1",
    host: "127.0.0.1",
    port,
    user: "root",
    key: join(dir, "user"),
    knownHosts: file,
    ...extra,
  };
}

describe("SshTransport", () => {
  it("runs many commands over one connection: exit codes, stdout, stderr, stdin", async () => {
    const before = connections;
    const t = await SshTransport.connect(await target(hostLine));
    expect(await t.run("echo out; echo err >&2; exit 3")).toMatchObject({
      exitCode: 3,
      stdout: "out\n",
      stderr: "err\n",
    });
    expect((await t.run("wc -c", { stdin: "12345" })).stdout.trim()).toBe("5");
    for (let i = 0; i < 5; i++) expect((await t.run("true")).exitCode).toBe(0);
    expect(connections - before).toBe(1);
    await t.close();
  });

  it("keeps the output and exit status of commands that finish within the exec reply", async () => {
    const t = await SshTransport.connect(await target(hostLine));
    const results = await Promise.all(Array.from({ length: 40 }, () => t.run("instant")));
    expect(new Set(results.map((r) => `${r.exitCode} ${r.stdout}`))).toEqual(new Set(["0 now\n"]));
    await t.close();
  });

  it("queues commands beyond the sessions sshd allows at once instead of failing them", async () => {
    const t = await SshTransport.connect(await target(hostLine));
    const results = await Promise.all(
      Array.from({ length: 4 * MAX_SESSIONS }, (_, i) => t.run(`sleep 0.2; echo ${i}`)),
    );
    expect(results.map((r) => `${r.exitCode} ${r.stdout.trim()}`)).toEqual(
      results.map((_, i) => `0 ${i}`),
    );
    await t.close();
  });

  it("reports exit 124 when a command outlives its timeout", async () => {
    const t = await SshTransport.connect(await target(hostLine));
    const r = await t.run("sleep 5", { timeoutMs: 300 });
    expect(r.exitCode).toBe(124);
    expect(r.durationMs).toBeLessThan(4000);
    await t.close();
  });

  it("kills a timed-out command's whole process group on the host, grandchildren included", async () => {
    const t = await SshTransport.connect(await target(hostLine));
    const pidFile = join(dir, "grandchild.pid");
    const r = await t.run(`sh -c 'sleep 30 & echo $! > ${pidFile}; wait'`, { timeoutMs: 500 });
    expect(r.exitCode).toBe(124);
    expect(r.timedOut).toMatch(/timed out after 0.5 s/);
    expect(r.stderr).not.toMatch(/ksorch-pgid/);
    expect(alive(Number(await readFile(pidFile, "utf8")))).toBe(false);
    await t.close();
  });

  it("interrupt() stops the commands in flight (their TERM trap runs) and refuses new ones", async () => {
    const t = await SshTransport.connect(await target(hostLine));
    const tmp = join(dir, "tmpfile");
    const pidFile = join(dir, "sleeper.pid");
    const running = t.run(
      `touch ${tmp}; trap 'rm -f ${tmp}; exit 143' TERM; sleep 30 & echo $! > ${pidFile}; wait`,
    );
    await waitForFile(pidFile);
    const t0 = performance.now();
    await t.interrupt();
    const r = await running;
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.interrupted).toBe(true);
    expect(existsSync(tmp)).toBe(false);
    expect(alive(Number(await readFile(pidFile, "utf8")))).toBe(false);
    const after = await t.run(`touch ${join(dir, "never")}`);
    expect(after).toMatchObject({ interrupted: true, exitCode: 130 });
    expect(existsSync(join(dir, "never"))).toBe(false);
    await t.close();
  }, 20_000);

  it("refuses an unknown host key and says how to accept it", async () => {
    const err = await SshTransport.connect(await target("")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toMatch(/is not in .*--accept-new-host-keys/);
  });

  it("records an unknown key with --accept-new-host-keys, then trusts it", async () => {
    const tg = await target("", { acceptNewHostKeys: true });
    await (await SshTransport.connect(tg)).close();
    expect(await readFile(tg.knownHosts ?? "", "utf8")).toBe(hostLine);
    await (await SshTransport.connect({ ...tg, acceptNewHostKeys: false })).close();
  });

  it("refuses a changed key even with --accept-new-host-keys, and leaves the file alone", async () => {
    const stale = hostLine.replace(
      / \S+\n$/,
      " AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey0\n",
    );
    const tg = await target(stale, { acceptNewHostKeys: true });
    const err = await SshTransport.connect(tg).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/CHANGED.*ssh-keygen -R/);
    expect(await readFile(tg.knownHosts ?? "", "utf8")).toBe(stale);
  });

  it("says when the server rejects our key, and when nothing listens", async () => {
    keygen(join(dir, "other"));
    const rejected = await SshTransport.connect(
      await target(hostLine, { key: join(dir, "other") }),
    ).catch((e: unknown) => e);
    expect((rejected as Error).message).toMatch(/rejected our key/);
    const closed = await SshTransport.connect(await target(hostLine, { port: 1 })).catch(
      (e: unknown) => e,
    );
    expect((closed as Error).message).toMatch(
      /\[127\.0\.0\.1\]:1 refused the connection: nothing listens on that port/,
    );
  });
});
