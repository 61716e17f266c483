// Running what the benchmarks measure: each command under GNU time (Debian's `time`), so a run
// yields its wall time, the CPU time of the controller's processes (user + system of the
// command and every child it waited for) and the peak resident memory of the largest of them;
// plus the machine's load average, and the description of the machine for the document.
import process from "node:process";
import { performance } from "node:perf_hooks";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";

export const log = (line) => process.stderr.write(`bench: ${line}\n`);

/** The 1-minute load average. */
export const load = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

/**
 * Runs argv (no shell) under /usr/bin/time. Resolves to
 * { wallMs, cpuMs, rssKb, load, code, stdout, stderr }; rejects on a non-zero exit unless
 * `allowFail`, with the command's last output in the message.
 */
export function timed(argv, { env, input, allowFail = false, cwd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ksorch-bench-"));
  const out = join(dir, "time");
  const startLoad = load();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", "-o", out, ...argv], {
      env: { ...process.env, ...env },
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(input ?? "");
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      // GNU time writes "Command exited with non-zero status N" before its line then.
      const last = readFileSync(out, "utf8").trim().split("\n").at(-1) ?? "";
      rmSync(dir, { recursive: true, force: true });
      const [user, sys, rss] = last.split(" ").map(Number);
      const r = {
        wallMs,
        cpuMs: (user + sys) * 1000,
        rssKb: rss,
        load: startLoad,
        code,
        stdout,
        stderr,
      };
      if (code !== 0 && !allowFail) {
        const tail = `${stderr}\n${stdout}`.trim().split("\n").slice(-15).join("\n");
        reject(new Error(`${argv.join(" ")} exited ${code}:\n${tail}`));
      } else resolve(r);
    });
  });
}

/** Output of a command run for its answer, not timed; "" when it cannot run. */
export function answer(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : "";
}

/** Lines for the document's head: the machine and the tools the figures depend on. */
export function machine(root) {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const os = readFileSync("/etc/os-release", "utf8").match(/PRETTY_NAME="(.*)"/)?.[1] ?? "?";
  const deb = (name) => answer(["dpkg-query", "-W", "-f", "${Version}", name]) || "not installed";
  return [
    `- machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os}, kernel ${answer(["uname", "-r"])}`,
    `- tools: ksorch ${pkg.version} (${answer(["git", "-C", root, "describe", "--always", "--dirty"]) || "no git"}), Node ${process.version}, ansible ${deb("ansible")} (ansible-core ${deb("ansible-core")}), ansible-mitogen ${deb("ansible-mitogen")}, rsync ${deb("rsync")}, OpenSSH ${deb("openssh-client")}`,
  ];
}
