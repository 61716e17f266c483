// The built CLI as a few bundled files. Node 20 has no compile cache for ES modules, and
// resolving, reading and linking the ~330 modules of ksorch and its dependencies one by one cost
// ~0.2 s of CPU per run, a third of a no-op `ksorch apply`. tsc's dist/cli/main.js is the entry
// and becomes the bundle; each command stays a chunk of its own, loaded only when it runs. The
// chunks sit beside it in dist/cli, so code that finds templates/ and package.json at ../.. from
// its own file still finds them. Run by `npm run build`, after tsc.
import { readdirSync, rmSync } from "node:fs";
import { defineConfig } from "rolldown";

const OUT = "dist/cli";
// Chunk names carry a hash: the previous build's would pile up.
for (const f of readdirSync(OUT)) if (f.startsWith("chunk-")) rmSync(`${OUT}/${f}`);

export default defineConfig({
  input: `${OUT}/main.js`,
  platform: "node",
  // ssh2 loads a compiled addon from its own folder.
  external: ["ssh2"],
  output: {
    dir: OUT,
    format: "esm",
    entryFileNames: "main.js",
    chunkFileNames: "chunk-[name]-[hash].js",
    sourcemap: true,
  },
});
