// Inserted at the top of dist/strata.js by scripts/bundle.mjs (not run from here).
// Loads the bundle's chunks instead of require(): no module resolution per chunk
// (a stat, a realpath and a package.json lookup each, for 20–30 chunks a
// command), and each chunk compiled with the V8 code cache written beside it
// at bundle time (`.v8`), which saves most of its compile time. A cache made
// by another Node or V8 is rejected by V8 itself and the chunk compiles as usual.
var __strata_chunks = Object.create(null);
var __strata_require;
function __strata_load(name) {
  const loaded = __strata_chunks[name];
  if (loaded) return loaded.exports;
  const fs = require("node:fs");
  const dir = `${__dirname}/chunks`;
  const filename = `${dir}/${name}.cjs`;
  const module = { exports: {}, id: filename, filename, loaded: false };
  __strata_chunks[name] = module;
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${filename}.v8`);
  } catch {}
  const { Script } = require("node:vm");
  const script = new Script(__STRATA_WRAP_HEAD + fs.readFileSync(filename, "utf8") + __STRATA_WRAP_TAIL, {
    filename,
    cachedData,
  });
  __strata_require ??= require("node:module").createRequire(filename);
  script
    .runInThisContext()
    .call(module.exports, module.exports, __strata_require, module, filename, dir, __strata_load);
  module.loaded = true;
  return module.exports;
}
