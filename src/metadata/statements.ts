import type Database from "better-sqlite3";
import type { Db } from "./db.ts";

/**
 * Prepared statements, compiled once per process and shared by every store
 * over one database (listing 100 containers reuses one statement).
 */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {}

  sql(text: string): Database.Statement {
    let stmt = this.cache.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.cache.set(text, stmt);
    }
    return stmt;
  }
}
