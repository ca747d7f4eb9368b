/**
 * The bundle's per-command packs (scripts/chunk-loader.cjs): the first run of
 * a command writes the chunks it loaded as one pack, the next run its code
 * cache; later runs take their chunks from the pack alone; a pack that lacks
 * a chunk a run needs is written again with it; a cache V8 rejects is
 * replaced; a group's commands (`system df`) have packs of their own. Each
 * case runs a copy of dist/, so the checkout's packs stay as they are.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GROUPS } from "../../src/cli/table.ts";
import { assertBuilt } from "../support/cli.ts";
import { runProcess } from "../support/process.ts";
import { tempDir } from "../support/tmp.ts";

/** A copy of the bundle that still finds the checkout's native addons (they are looked up by walking up). */
function bundleCopy(): { dist: string; root: string } {
  assertBuilt();
  const dir = tempDir("strata-pack-");
  cpSync(join(process.cwd(), "dist"), join(dir, "dist"), { recursive: true });
  rmSync(join(dir, "dist", ".code-cache"), { recursive: true, force: true });
  symlinkSync(join(process.cwd(), "native"), join(dir, "native"));
  symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
  return { dist: join(dir, "dist"), root: join(dir, "store") };
}

async function images(dist: string, root: string): Promise<string> {
  const r = await runProcess(process.execPath, [join(dist, "strata.js"), "--root", root, "images"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The code caches beside the pack (one at most: each names the pack version it was made from). */
function caches(pack: string): string[] {
  const dir = join(pack, "..");
  return readdirSync(dir)
    .filter((f) => f.startsWith("images.pack.") && f.endsWith(".v8"))
    .map((f) => join(dir, f));
}

/** The chunk names a pack holds, in its order. */
function packNames(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^"([\w-]+)": \(function /gm)].map((m) => m[1]);
}

test("the first run writes the pack, the second its cache, and later runs need no chunk file", async () => {
  const { dist, root } = bundleCopy();
  const pack = join(dist, ".code-cache", "images.pack");
  const first = await images(dist, root);
  assert.match(first, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n$/);
  assert.ok(existsSync(`${pack}.js`), "no pack after the first run");
  assert.deepEqual(caches(pack), [], "a cache before any run loaded the pack");
  const names = packNames(`${pack}.js`);
  assert.ok(names.length > 5, `the pack holds ${names.length} chunks`);

  assert.equal(await images(dist, root), first);
  assert.equal(caches(pack).length, 1, "no cache after the second run");

  // Without a single chunk file the command still runs: every chunk came from the pack.
  for (const f of readdirSync(join(dist, "chunks"))) rmSync(join(dist, "chunks", f));
  assert.equal(await images(dist, root), first);
});

test("a pack that lacks a chunk is written again with it, and a rejected cache is replaced", async () => {
  const { dist, root } = bundleCopy();
  const pack = join(dist, ".code-cache", "images.pack");
  await images(dist, root);
  await images(dist, root);
  const names = packNames(`${pack}.js`);
  const dropped = names[names.length - 1];
  const source = readFileSync(`${pack}.js`, "utf8");
  const cut = source.lastIndexOf(`,\n"${dropped}": `);
  writeFileSync(`${pack}.js`, `${source.slice(0, cut)}\n})`);
  const [cache] = caches(pack);
  // A cache a process that had read an older pack wrote after that pack was replaced.
  writeFileSync(`${pack}.old-1.v8`, "a stale cache");

  await images(dist, root);
  assert.deepEqual(packNames(`${pack}.js`).sort(), [...names].sort());
  assert.deepEqual(caches(pack), [], "a cache of a pack it replaced is still there");

  await images(dist, root);
  const [fresh] = caches(pack);
  assert.ok(fresh && fresh !== cache, "no cache of the new pack");
  writeFileSync(fresh, "not a code cache");
  await images(dist, root);
  assert.notEqual(readFileSync(fresh, "utf8"), "not a code cache");
});

test("a group's commands have packs of their own: `system df` does not load what `system service` does", async () => {
  const { dist, root } = bundleCopy();
  const r = await runProcess(process.execPath, [join(dist, "strata.js"), "--root", root, "system", "df"]);
  assert.equal(r.code, 0, r.stderr);
  const packs = readdirSync(join(dist, ".code-cache")).filter((f) => f.endsWith(".pack.js"));
  assert.deepEqual(packs, ["system-df.pack.js"]);
  // The loader's list of groups is the CLI's.
  const loader = readFileSync(join(process.cwd(), "scripts", "chunk-loader.cjs"), "utf8");
  const listed = JSON.parse(/var __strata_groups = (\[[^\]]*\]);/.exec(loader)?.[1] ?? "[]") as string[];
  assert.deepEqual(listed, GROUPS.map((g) => g.name).sort());
});
