/**
 * Opens the shared SQLite database. WAL lets readers (`images`, `ps`) run while
 * another process writes; busy_timeout makes concurrent writers queue instead
 * of failing; writes use BEGIN IMMEDIATE so a read-then-write never deadlocks.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StrataError } from "../errors.ts";
import { MIGRATIONS } from "./schema.ts";

export type Db = Database.Database;

/**
 * better-sqlite3 finds its addon through the `bindings` package, which probes
 * a dozen paths (~15 ms of every command's start here); its build path is
 * known, so it is handed over directly: the nearest node_modules above this
 * module (src/metadata in a checkout, dist/chunks once bundled).
 */
function nativeBinding(): string | undefined {
  let dir = import.meta.dirname;
  for (;;) {
    const addon = `${dir}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`;
    if (existsSync(addon)) return addon;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function openDb(path: string): Db {
  let db: Db;
  try {
    db = new Database(path, { timeout: 30_000, nativeBinding: nativeBinding() });
  } catch (cause) {
    throw new StrataError("STORE_CORRUPT", `cannot open the metadata database ${path}`, { cause });
  }
  db.pragma("journal_mode = WAL");
  // NORMAL is durable against process crashes (the case we must survive); a
  // power loss may lose the last transaction but never corrupts the file.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current >= MIGRATIONS.length) return;
  db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const version = db.pragma("user_version", { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
