#!/usr/bin/env node
import { execFileSync } from "node:child_process";
// Bundles the CLI into dist/strata.js plus one chunk per lazily imported
// command: a short command reads a few small files at start-up instead of
// hundreds of modules, which is most of its cost.
//
// esbuild splits code only in ES module output, but Node 20 loads CommonJS
// faster (no ES module loader to start, no asynchronous link step per
// chunk: ~15 ms less per command here). So the split ES modules are turned
// into CommonJS one file at a time; `import()` becomes `require()`.
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";
import { build, transformSync } from "esbuild";

/** `version`'s Git commit and Built: the source's commit and its date (not the clock: rebuilds are identical). */
function buildInfo() {
  try {
    const git = (...args) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return { commit: git("rev-parse", "--short=7", "HEAD"), time: git("log", "-1", "--format=%cI") };
  } catch {
    return { commit: "", time: "" };
  }
}

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
  define: { __STRATA_BUILD__: JSON.stringify(buildInfo()) },
  logLevel: "warning",
});

// The launcher line. `--` before the script: Node 20 otherwise reads a script argument
// `--env-file F` as its own option (nodejs/node#54232) and dies on `strata run --env-file F`.
// NODE_EXTRA_CA_CERTS moves to STRATA_NODE_EXTRA_CA_CERTS (GNU env expands `${}` in -S):
// Node 20 parses that file at every start, 38 ms here where it names the system bundle, and
// strata adds those certificates itself when it opens a TLS connection (src/sys/extra-ca.ts).
const LAUNCHER =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: env -S expands it, not JavaScript.
  "#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS STRATA_NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} node --";

// Chunks become .cjs: Node then loads them without looking for a package.json
// to learn their module type (~5 ms at start-up here).
const toCjs = (code) => code.replace(/(\.\/(?:chunks\/)?[\w-]+)\.js"/g, '$1.cjs"');
const files = ["dist/strata.js", ...readdirSync("dist/chunks").map((f) => join("dist/chunks", f))];
for (const file of files) {
  const { code } = transformSync(toCjs(readFileSync(file, "utf8")), {
    format: "cjs",
    platform: "node",
    target: "node20",
    supported: { "dynamic-import": false },
    // strata's sources use import.meta.dirname/filename, never import.meta.url.
    define: { "import.meta.dirname": "__dirname", "import.meta.filename": "__filename" },
    logLevel: "warning",
  });
  if (file === "dist/strata.js") writeFileSync(file, `${LAUNCHER}\n${code}`);
  else {
    writeFileSync(file.replace(/\.js$/, ".cjs"), code);
    rmSync(file);
  }
}
// Chunks load through scripts/chunk-loader.cjs, each wrapped as CommonJS wraps a module, plus the loader.
const WRAP_HEAD = "(function (exports, require, module, __filename, __dirname, __strata_load) {";
const WRAP_TAIL = "\n})";
// A chunk is an ES module turned CommonJS (its exports carry __esModule), so an `import()` of it
// needs no __toESM wrapper: that copied every export into a new object on each call (~4 ms a
// request where the API's container list imported per container).
const viaLoader = (code, prefix) =>
  code
    .replace(
      new RegExp(`__toESM\\(require\\("\\./${prefix}([\\w-]+)\\.cjs"\\)\\)`, "g"),
      '__strata_load("$1")',
    )
    .replace(new RegExp(`require\\("\\./${prefix}([\\w-]+)\\.cjs"\\)`, "g"), '__strata_load("$1")');
const loader = readFileSync("scripts/chunk-loader.cjs", "utf8")
  .replaceAll("__STRATA_WRAP_HEAD", JSON.stringify(WRAP_HEAD))
  .replaceAll("__STRATA_WRAP_TAIL", JSON.stringify(WRAP_TAIL));
const [shebang, ...main] = readFileSync("dist/strata.js", "utf8").split("\n");
writeFileSync("dist/strata.js", [shebang, loader, viaLoader(main.join("\n"), "chunks/")].join("\n"));
for (const name of readdirSync("dist/chunks")) {
  const file = join("dist/chunks", name);
  // ASCII only (a few comments and one regex carry µ, → or …): Node then reads a chunk, and the
  // command pack made of them, as a one-byte string, ~1 ms less for a pack of 600 KB.
  const code = viaLoader(readFileSync(file, "utf8"), "").replace(
    /[^\0-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  writeFileSync(file, code);
  // The cache of what V8 compiles up front; functions compiled later are not in it.
  writeFileSync(
    `${file}.v8`,
    new Script(WRAP_HEAD + code + WRAP_TAIL, { filename: file }).createCachedData(),
  );
}
// The project is "type": "module"; the bundle is CommonJS.
writeFileSync("dist/package.json", '{ "type": "commonjs" }\n');
chmodSync("dist/strata.js", 0o755);
