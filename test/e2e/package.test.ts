/**
 * The library as a user installs it: `npm pack` the project, install the
 * tarball into a scratch project, then use the Engine from plain Node 20 (an
 * .mjs file, no TypeScript loader) and type-check a .ts file against the
 * shipped declarations. better-sqlite3 is seeded from this checkout so the
 * test does not spend a minute compiling SQLite; everything else comes from
 * the tarball and the npm registry (npm's cache first).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { busyboxBaseTar } from "../support/fixtures-busybox.ts";
import { tempDir } from "../support/tmp.ts";

const repo = process.cwd();

const USE_MJS = `
import { Engine, isStrataError } from "strata";
import { createReadStream } from "node:fs";
const [root, tarball] = process.argv.slice(2);
const engine = new Engine({ root });
const id = await engine.images.import(createReadStream(tarball), { reference: "scratch/busybox:packed" });
const [image] = engine.images.list();
const doc = await engine.images.inspect("scratch/busybox:packed");
let missing;
try { engine.images.get("no/such:image"); } catch (err) { missing = isStrataError(err) && err.code; }
await engine.close();
console.log(JSON.stringify({ id, tags: image.repoTags, layers: doc.RootFS.Layers.length, missing }));
`;

const USE_TS = `
import { Engine, type ImageSummary, type PullEvent, StrataError } from "strata";
const engine: Engine = new Engine({ root: "/nonexistent" });
const images: ImageSummary[] = engine.images.list();
const onProgress = (e: PullEvent): void => void e;
const size: number = images.reduce((n, i) => n + i.size, 0);
export { engine, onProgress, size, StrataError };
`;

const TYPE_ERROR_TS = `
import { Engine } from "strata";
const n: number = new Engine().root;
export { n };
`;

test("npm pack → install into a scratch project → use the Engine from .mjs and a type-checked .ts", () => {
  const work = tempDir("strata-pack-");
  // Without prepack's bundle step: other test files are running dist/strata.js right now.
  execFileSync(process.execPath, ["scripts/build-lib.mjs"], {
    cwd: repo,
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], {
    cwd: repo,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, "npm pack wrote a tarball");

  const app = join(work, "app");
  cpSync(join(repo, "node_modules", "better-sqlite3"), join(app, "node_modules", "better-sqlite3"), {
    recursive: true,
  });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(work, tgz)],
    {
      cwd: app,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );

  writeFileSync(join(app, "use.mjs"), USE_MJS);
  const tarball = join(work, "busybox.tar");
  writeFileSync(tarball, busyboxBaseTar());
  const out = execFileSync(process.execPath, ["use.mjs", join(work, "store"), tarball], {
    cwd: app,
    encoding: "utf8",
  });
  const used = JSON.parse(out);
  assert.match(used.id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(used.tags, ["scratch/busybox:packed"]);
  assert.equal(used.layers, 1);
  assert.equal(used.missing, "NOT_FOUND");

  const tsc = resolve(repo, "node_modules/typescript/bin/tsc");
  const config = {
    compilerOptions: {
      strict: true,
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      noEmit: true,
      types: ["node"],
      typeRoots: [join(repo, "node_modules/@types")],
    },
  };
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(config));
  writeFileSync(join(app, "use.ts"), USE_TS);
  const check = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: app, encoding: "utf8" });
  assert.equal(check.status, 0, check.stdout + check.stderr);

  // The check can fail: a wrong type against the shipped declarations is an error.
  writeFileSync(join(app, "use.ts"), TYPE_ERROR_TS);
  assert.throws(
    () => execFileSync(process.execPath, [tsc, "-p", "."], { cwd: app, stdio: "pipe" }),
    (err: { stdout: Buffer }) => /Type 'string' is not assignable to type 'number'/.test(String(err.stdout)),
  );
});
