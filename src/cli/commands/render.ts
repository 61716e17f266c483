// `ksorch render [INVENTORY] --out DIR`: every file each server would receive, written to
// DIR/<server>/<path>. Prints where each file went, never a secret's content.
import type { Command } from "commander";
import { DEFAULT_INVENTORY, loadInventory } from "../../inventory/load.js";
import { renderCluster } from "../../render/render.js";
import { loadSecrets } from "../../render/secrets.js";
import { writeRendered, type WrittenFile } from "../../render/write.js";
import { planTopology } from "../../topology/plan.js";
import { examples } from "../examples.js";
import { formatTable } from "../output.js";
import type { SetExit } from "./index.js";

export function renderToDir(path: string, outDir: string): WrittenFile[] {
  const inv = loadInventory(path);
  const files = renderCluster(inv, planTopology(inv), loadSecrets(inv));
  return [...files].flatMap(([server, list]) => writeRendered(outDir, server, list));
}

export function register(program: Command, setExit: SetExit): void {
  program
    .command("render")
    .description("write every file each server would get to DIR/<server>/<path>")
    .argument("[inventory]", "inventory file", DEFAULT_INVENTORY)
    .requiredOption("--out <dir>", "output folder")
    .addHelpText(
      "after",
      examples(
        "ksorch render --out /tmp/ksorch-lab",
        "ksorch render inventory/lab-kea.yaml --out /tmp/ksorch-kea",
      ),
    )
    .action((path: string, opts: { out: string }) => {
      const written = renderToDir(path, opts.out);
      const rows = written.map((w) => [
        w.server,
        w.mode.toString(8).padStart(4, "0"),
        String(w.bytes),
        w.secret ? "yes" : "-",
        w.local,
      ]);
      console.log(formatTable(["SERVER", "MODE", "BYTES", "SECRET", "FILE"], rows));
      setExit(0);
    });
}
