// Inserted at the top of dist/strata.js by scripts/bundle.mjs (not run from here).
// Loads the bundle's chunks instead of require(): no module resolution per chunk
// (a stat, a realpath and a package.json lookup each, for 20–30 chunks a
// command), and each chunk compiled with the V8 code cache written beside it
// at bundle time (`.v8`), which saves most of its compile time. A cache made
// by another Node or V8 is rejected by V8 itself and the chunk compiles as usual.
//
// The bundle-time cache holds only what V8 compiles up front, and reading and
// compiling chunk by chunk costs ~0.25 ms a chunk; a command loads 30–50. So
// each command (its first word, or its first two for a group: the API server,
// `system service`, loads up to three times what `system df` needs) has a
// *pack* in dist/.code-cache (not packed with the package, cleared by every
// bundle): the chunks its runs loaded, as one file of factories by name
// (`<command>.pack.js`), compiled as one script with one code cache
// (`<command>.pack.<id>.v8`). A run writes the pack again, as it exits, when it
// loaded chunks the pack lacks (the first run: all of them); the next run
// writes the cache, as that command left it, so the functions the command
// calls are compiled in it too. Files are replaced by rename; a cache V8
// rejects is written anew; a directory that cannot be written leaves the
// chunks loading one by one.
var __strata_chunks = Object.create(null);
var __strata_require;
var __strata_cache_key;
var __strata_pack;
var __strata_loaded = [];

/** The command groups of src/cli/table.ts (GROUPS, with container, image and system). */
var __strata_groups = ["builder", "container", "image", "network", "system", "volume"];

/** The command words that name this process's caches ("" for none: no warm caches). */
function __strata_command() {
  if (__strata_cache_key === undefined) {
    const args = process.argv.slice(2);
    let i = 0;
    while (i < args.length && args[i].startsWith("-")) i += args[i] === "--root" ? 2 : 1;
    const word = (w) => /^[a-z][a-z-]{0,30}$/.test(w ?? "");
    __strata_cache_key = !word(args[i])
      ? ""
      : __strata_groups.includes(args[i]) && word(args[i + 1])
        ? `${args[i]}-${args[i + 1]}`
        : args[i];
  }
  return __strata_cache_key;
}

/** Writes this command's pack's code cache, or the pack again when this run loaded chunks it lacks. */
function __strata_write_pack() {
  const fs = require("node:fs");
  const pack = __strata_pack;
  const write = (path, data) => {
    const tmp = `${path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  };
  try {
    const missing = __strata_loaded.filter((name) => !Object.hasOwn(pack.factories, name));
    if (missing.length === 0) {
      // The cache as the command leaves it: the functions it ran are compiled in it too.
      if (pack.script) write(`${pack.base}.${pack.id}.v8`, pack.script.createCachedData());
      return;
    }
    // The pack again, with what this run loaded besides; its code cache comes from the next run.
    // A new id names that cache: V8 checks only a source's length, and a cache written from
    // another version of the pack must never be taken for this one's.
    const id = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
    const parts = [...Object.keys(pack.factories), ...missing].map(
      (name) =>
        `${JSON.stringify(name)}: ${__STRATA_WRAP_HEAD}${fs.readFileSync(`${__dirname}/chunks/${name}.cjs`, "utf8")}${__STRATA_WRAP_TAIL}`,
    );
    const dir = `${__dirname}/.code-cache`;
    fs.mkdirSync(dir, { recursive: true });
    write(`${pack.base}.js`, `// pack ${id}\n({\n${parts.join(",\n")}\n})`);
    // Every older id's cache is stale now, also one a process that read an older pack wrote late.
    const stale = `${pack.base.slice(dir.length + 1)}.`;
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(stale) && f.endsWith(".v8")) fs.rmSync(`${dir}/${f}`, { force: true });
    }
  } catch {}
}

/** This command's pack: its chunks' factories by name (none when it has no pack yet). */
function __strata_read_pack(command) {
  const fs = require("node:fs");
  const base = `${__dirname}/.code-cache/${command}.pack`;
  const pack = { base, id: "", factories: Object.create(null), script: undefined };
  process.once("exit", __strata_write_pack);
  let source;
  try {
    source = fs.readFileSync(`${base}.js`, "utf8");
    pack.id = /^\/\/ pack ([\w-]+)\n/.exec(source)[1];
  } catch {
    return pack;
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${base}.${pack.id}.v8`);
  } catch {}
  try {
    const { Script } = require("node:vm");
    const script = new Script(source, { filename: `${base}.js`, cachedData });
    if (!cachedData || script.cachedDataRejected) pack.script = script;
    pack.factories = script.runInThisContext();
  } catch {
    pack.factories = Object.create(null);
  }
  return pack;
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
  if (command) {
    __strata_pack ??= __strata_read_pack(command);
    __strata_loaded.push(name);
    const factory = __strata_pack.factories[name];
    if (factory) return __strata_run(module, factory, filename, dir);
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${filename}.v8`);
  } catch {}
  const { Script } = require("node:vm");
  const script = new Script(__STRATA_WRAP_HEAD + fs.readFileSync(filename, "utf8") + __STRATA_WRAP_TAIL, {
    filename,
    cachedData,
  });
  return __strata_run(module, script.runInThisContext(), filename, dir);
}

function __strata_run(module, factory, filename, dir) {
  __strata_require ??= require("node:module").createRequire(filename);
  factory.call(module.exports, module.exports, __strata_require, module, filename, dir, __strata_load);
  module.loaded = true;
  return module.exports;
}
