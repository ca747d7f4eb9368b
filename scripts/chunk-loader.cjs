// Inserted at the top of dist/strata.js by scripts/bundle.mjs (not run from here).
// Loads the bundle's chunks instead of require(): no module resolution per chunk
// (a stat, a realpath and a package.json lookup each, for 20–30 chunks a
// command), and each chunk compiled with the V8 code cache written beside it
// at bundle time (`.v8`), which saves most of its compile time. A cache made
// by another Node or V8 is rejected by V8 itself and the chunk compiles as usual.
//
// The bundle-time cache holds only what V8 compiles up front: every function a
// command calls is compiled from source again on each run (~10 ms of a `run`
// here). So the first run of each command (its first word) writes, as it
// exits, a cache of each chunk it loaded as that command left it, in
// dist/.code-cache (once per chunk and command, by rename; not packed), and
// later runs of the command load that one. A cache V8 rejects is written anew;
// a directory that cannot be written leaves the bundle-time caches in use.
var __strata_chunks = Object.create(null);
var __strata_require;
var __strata_cache_key;
var __strata_uncached;

/** The command word that names this process's caches ("" for none: no warm caches). */
function __strata_command() {
  if (__strata_cache_key === undefined) {
    const args = process.argv.slice(2);
    let i = 0;
    while (i < args.length && args[i].startsWith("-")) i += args[i] === "--root" ? 2 : 1;
    __strata_cache_key = /^[a-z][a-z-]{0,30}$/.test(args[i] ?? "") ? args[i] : "";
  }
  return __strata_cache_key;
}

function __strata_write_caches() {
  const fs = require("node:fs");
  const dir = `${__dirname}/.code-cache`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const [path, script] of __strata_uncached) {
      const tmp = `${path}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, path);
    }
  } catch {}
}

function __strata_load(name) {
  const loaded = __strata_chunks[name];
  if (loaded) return loaded.exports;
  const fs = require("node:fs");
  const dir = `${__dirname}/chunks`;
  const filename = `${dir}/${name}.cjs`;
  const module = { exports: {}, id: filename, filename, loaded: false };
  __strata_chunks[name] = module;
  const command = __strata_command();
  const warmPath = command ? `${__dirname}/.code-cache/${name}.${command}.v8` : "";
  let cachedData;
  let warm = false;
  try {
    if (warmPath) {
      cachedData = fs.readFileSync(warmPath);
      warm = true;
    }
  } catch {}
  try {
    cachedData ??= fs.readFileSync(`${filename}.v8`);
  } catch {}
  const { Script } = require("node:vm");
  const script = new Script(__STRATA_WRAP_HEAD + fs.readFileSync(filename, "utf8") + __STRATA_WRAP_TAIL, {
    filename,
    cachedData,
  });
  if (warmPath && (!warm || script.cachedDataRejected)) {
    if (!__strata_uncached) {
      __strata_uncached = [];
      process.once("exit", __strata_write_caches);
    }
    __strata_uncached.push([warmPath, script]);
  }
  __strata_require ??= require("node:module").createRequire(filename);
  script
    .runInThisContext()
    .call(module.exports, module.exports, __strata_require, module, filename, dir, __strata_load);
  module.loaded = true;
  return module.exports;
}
