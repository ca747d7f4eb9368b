#!/usr/bin/env node
// Bundles the CLI into one ES module (dist/strata.mjs): one file to read at
// start-up instead of hundreds, which is most of a short command's cost.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/strata.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: false,
  // Native and optional modules are loaded from node_modules at run time.
  external: ["better-sqlite3"],
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync("dist/strata.mjs", 0o755);
