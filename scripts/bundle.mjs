#!/usr/bin/env node
// Bundles the CLI into dist/strata.js plus one chunk per lazily imported
// command: a short command reads one small file at start-up instead of
// hundreds of modules, which is most of its cost.
import { chmodSync, rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names change with their content: start clean so stale chunks never pile up.
rmSync("dist", { recursive: true, force: true });

await build({
  entryPoints: { strata: "src/cli/main.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // better-sqlite3's JavaScript is bundled too (a dozen fewer files to load);
  // its native addon is loaded by path from node_modules (metadata/db.ts).
  // CommonJS dependencies (better-sqlite3 and its loader) call require():
  // give every ES module chunk one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __strataRequire } from "node:module";\nconst require = __strataRequire(import.meta.url);',
  },
  logLevel: "warning",
});
chmodSync("dist/strata.js", 0o755);
