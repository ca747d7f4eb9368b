#!/usr/bin/env node
// Runs every test file under test/ with node's own runner. On Node 20 the files
// must be listed explicitly (directory forms run nothing). Pass paths or name
// fragments to run a subset: `node scripts/run-tests.mjs archive registry`.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect("test").filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const args = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=600000", ...files];
const result = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(result.status ?? 1);
