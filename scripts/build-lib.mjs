#!/usr/bin/env node
// Compiles the library (src/engine.ts and what it imports) to lib/ as plain
// JavaScript plus .d.ts declarations, for `import { Engine } from "strata"`
// from Node 20 and from TypeScript projects. tsc rewrites `./x.ts` imports to
// `./x.js` in the JavaScript it emits but not in declarations, so those are
// rewritten here (relative specifiers only).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

rmSync("lib", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.lib.json"], {
  stdio: "inherit",
});

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith(".d.ts")) yield path;
  }
}
const relativeTs = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g;
for (const file of files("lib")) {
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(relativeTs, "$1$2.js$3");
  if (fixed !== text) writeFileSync(file, fixed);
}
