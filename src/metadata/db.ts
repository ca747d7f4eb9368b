/**
 * Opens the shared SQLite database. WAL lets readers (`images`, `ps`) run while
 * another process writes; busy_timeout makes concurrent writers queue instead
 * of failing; writes use BEGIN IMMEDIATE so a read-then-write never deadlocks.
 *
 * Every strata command is a short process. SQLite's close checkpoints the WAL
 * into the database and deletes it (an fsync of each), and the next writer
 * creates a new WAL (an fsync of its header and of the directory): four
 * fsyncs per writing command, tens of milliseconds on a file system busy with
 * an unpacked layer. So a connection is told to leave the WAL at close (the
 * native addon's SQLite extension), the next process reads it back as it
 * would after a crash, and the closing process checkpoints only once the WAL
 * has grown past WAL_CHECKPOINT_BYTES (which also bounds what each opening
 * process reads back: about 2 ms a MiB here).
 *
 * Durability is what synchronous=NORMAL in WAL mode promises either way: a
 * commit is in the WAL when it returns, so a killed process loses nothing and
 * the next command completes the store; a power loss may lose the most recent
 * transactions (now up to the WAL's last MiB rather than the last command's),
 * never the database's consistency, since checkpoints fsync the WAL before
 * writing it back. Layer and blob files are not fsynced by any command, so
 * after a power loss `system check` is the arbiter in both cases.
 */
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StrataError } from "../errors.ts";
import { nativeAddonPath } from "../sys/index.ts";
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

/** A WAL bigger than this is checkpointed (and truncated) by the process that closes it. */
export const WAL_CHECKPOINT_BYTES = 1 << 20;
const BUSY_TIMEOUT_MS = 30_000;

/** Tells the connection to leave the WAL at close; false (close checkpoints, as by default) without the addon. */
function keepWalAtClose(db: Db): boolean {
  try {
    // better-sqlite3 takes an entry point (its types do not say so).
    (db.loadExtension as (path: string, entryPoint: string) => Db)(
      nativeAddonPath(),
      "sqlite3_stratakeepwal_init",
    );
    return true;
  } catch {
    // An addon built before the entry point existed: SQLite's own close-time checkpoint then.
    return false;
  }
}

export function openDb(path: string): Db {
  let db: Db;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() });
  } catch (cause) {
    throw new StrataError("STORE_CORRUPT", `cannot open the metadata database ${path}`, { cause });
  }
  keepWalAtClose(db);
  db.pragma("journal_mode = WAL");
  // NORMAL is durable against process crashes (the case we must survive); a
  // power loss may lose the last transaction but never corrupts the file.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

/**
 * Closes the connection; when the WAL has grown, checkpoints it first and
 * truncates it. Never waits for that: a process reading or writing right
 * now makes the checkpoint give up, and a later close does it.
 */
export function closeDb(db: Db): void {
  if (!db.open) return;
  let walBytes = 0;
  try {
    walBytes = statSync(`${db.name}-wal`).size;
  } catch {
    // No WAL (a read-only open, or one that never started it): nothing to fold back.
  }
  if (walBytes > WAL_CHECKPOINT_BYTES) {
    try {
      db.pragma("busy_timeout = 0");
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // Busy: another process has the database; the next close checkpoints.
    }
  }
  db.close();
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
