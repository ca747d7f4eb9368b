/**
 * Build cache records (one store per kind of record): a step's cache key →
 * the stage state after it (chain IDs, image config, history), and the
 * context file hashes keyed by (path, size, mtime, inode). The layers a
 * record names are garbage-collection roots until `builder prune`.
 */
import type { Digest } from "../digest/index.ts";
import type { Statements } from "./statements.ts";

export interface BuildCacheRecord {
  key: string;
  parent: string | null;
  /** What the step was (`RUN echo hi`), for `builder prune` and `system df -v`. */
  description: string;
  chain: Digest[];
  /** The serialized stage state after the step. */
  state: string;
  /** The layer this step added (null when it added none). */
  layer: Digest | null;
  size: number;
  createdAt: number;
  lastUsed: number;
}

interface Row {
  key: string;
  parent: string | null;
  description: string;
  chain: string;
  state: string;
  layer: string | null;
  size: number;
  created_at: number;
  last_used: number;
}

const fromRow = (r: Row): BuildCacheRecord => ({
  key: r.key,
  parent: r.parent,
  description: r.description,
  chain: JSON.parse(r.chain) as Digest[],
  state: r.state,
  layer: r.layer as Digest | null,
  size: r.size,
  createdAt: r.created_at,
  lastUsed: r.last_used,
});

export class BuildCacheRecords {
  constructor(private readonly q: Statements) {}

  get(key: string): BuildCacheRecord | undefined {
    const r = this.q.sql("SELECT * FROM build_cache WHERE key = ?").get(key) as Row | undefined;
    return r && fromRow(r);
  }

  touch(key: string): void {
    this.q.sql("UPDATE build_cache SET last_used = ? WHERE key = ?").run(Date.now(), key);
  }

  put(rec: BuildCacheRecord): void {
    this.q
      .sql(
        `INSERT OR REPLACE INTO build_cache (key, parent, description, chain, state, layer, size, created_at, last_used)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        rec.key,
        rec.parent,
        rec.description,
        JSON.stringify(rec.chain),
        rec.state,
        rec.layer,
        rec.size,
        rec.createdAt,
        rec.lastUsed,
      );
  }

  list(): BuildCacheRecord[] {
    return (this.q.sql("SELECT * FROM build_cache ORDER BY created_at").all() as Row[]).map(fromRow);
  }

  /** Every layer some record needs (its whole chain): roots for the garbage collector. */
  layers(): Set<string> {
    const out = new Set<string>();
    for (const r of this.q.sql("SELECT chain FROM build_cache").all() as { chain: string }[]) {
      for (const c of JSON.parse(r.chain) as string[]) out.add(c);
    }
    return out;
  }

  deleteAll(keys: string[]): void {
    const del = this.q.sql("DELETE FROM build_cache WHERE key = ?");
    this.q.db
      .transaction(() => {
        for (const k of keys) del.run(k);
      })
      .immediate();
  }
}

export interface FileHash {
  path: string;
  size: number;
  mtime: string;
  ino: string;
  digest: string;
}

export class FileHashRecords {
  constructor(private readonly q: Statements) {}

  /** Every hash of a path starting with `prefix` (a range scan of the primary key). */
  under(prefix: string): FileHash[] {
    // The smallest string greater than every one starting with `prefix`.
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return this.q
      .sql("SELECT * FROM build_file_hashes WHERE path >= ? AND path < ?")
      .all(prefix, end) as FileHash[];
  }

  putAll(rows: FileHash[]): void {
    const put = this.q.sql(
      "INSERT OR REPLACE INTO build_file_hashes (path, size, mtime, ino, digest) VALUES (?, ?, ?, ?, ?)",
    );
    this.q.db
      .transaction(() => {
        for (const r of rows) put.run(r.path, r.size, r.mtime, r.ino, r.digest);
      })
      .immediate();
  }

  clear(): void {
    this.q.sql("DELETE FROM build_file_hashes").run();
  }
}
