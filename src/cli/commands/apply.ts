// `ksorch apply [INVENTORY] [--check] [--diff] [--limit H1,H2] [--tags T] [--forks N] [--json]`
import { InvalidArgumentError, type Command } from "commander";
import { durationMs } from "../../inventory/duration.js";
import { DEFAULT_INVENTORY } from "../../inventory/load.js";
import { MODULES } from "../../modules/index.js";
import { examples } from "../examples.js";
import { onInterrupt } from "../signals.js";
import type { SetExit } from "./index.js";

const list = (v: string): string[] =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
}

function duration(v: string): number {
  const ms = /^\d+(\.\d+)?(ms|s)?$/.test(v) ? durationMs(v) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000)
    throw new InvalidArgumentError("expected a duration of 1 s or more, e.g. 30s or 600");
  return ms;
}

function modulesHelp(): string {
  const rows = [...MODULES.values()].map((m) => `  ${m.name.padEnd(13)} ${m.description}`);
  return `\nModules for playbooks (arguments: playbooks/README.md):\n${rows.join("\n")}`;
}

interface Flags {
  check?: boolean;
  diff?: boolean;
  limit?: string[];
  tags?: string[];
  forks: number;
  json?: boolean;
  acceptNewHostKeys?: boolean;
  playbooks?: string;
  timeout?: number;
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command("apply")
    .description("configure the servers: run the playbooks over SSH (idempotent)")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .option("--check", "plan and show what would change; change nothing")
    .option("--diff", "show a unified diff of every file change (secrets masked)")
    .option("--limit <hosts>", "only these servers (comma separated)", list)
    .option("--tags <tags>", "only tasks with one of these tags (comma separated)", list)
    .option("--forks <n>", "servers configured in parallel", positiveInt, 10)
    .option("--json", "print one JSON report on stdout (progress on stderr)")
    .option(
      "--accept-new-host-keys",
      "trust and record the host key of a server not in known_hosts yet (never a changed one)",
    )
    .option("--playbooks <dir>", "playbook directory (default: the project's playbooks/)")
    .option(
      "--timeout <duration>",
      "bound of each remote command of a task without its own timeout: (default 600s)",
      duration,
    )
    .addHelpText("after", modulesHelp())
    .addHelpText(
      "after",
      examples(
        "ksorch apply inventory/lab.yaml --check --diff",
        "ksorch apply inventory/lab3.yaml",
        "ksorch apply inventory/lab.yaml --limit server2 --tags dhcp,tftp --timeout 120s",
      ),
    )
    .action(async (inventory: string, f: Flags) => {
      // Loaded on use: SSH, listr2 and the renderers are not needed by the other commands.
      const [{ applyInventory }, { chooseReporter }] = await Promise.all([
        import("../../engine/apply.js"),
        import("../../ui/select.js"),
      ]);
      const stop = onInterrupt("the apply", (line) => console.error(`ksorch: ${line}`));
      const report = await applyInventory({
        inventory,
        check: f.check === true,
        diff: f.diff === true,
        ...(f.limit ? { limit: f.limit } : {}),
        ...(f.tags ? { tags: f.tags } : {}),
        forks: f.forks,
        acceptNewHostKeys: f.acceptNewHostKeys === true,
        ...(f.playbooks ? { playbooksDir: f.playbooks } : {}),
        reporter: await chooseReporter({ json: f.json === true }),
        ...(f.timeout !== undefined ? { timeoutMs: f.timeout } : {}),
        signal: stop.signal,
      }).finally(() => stop.dispose());
      setExit(stop.exitCode() ?? report.exitCode);
    });
}
