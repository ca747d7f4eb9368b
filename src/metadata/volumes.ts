/**
 * Volume records, a store of their own (one store per kind of record, as
 * containerd keeps them). Which containers use a volume is not stored here:
 * it is read from the containers' own mount lists, so it can never disagree.
 */
import type { Statements } from "./statements.ts";

export interface VolumeRecord {
  name: string;
  driver: string;
  /** null for volumes a container created (Docker shows `null`), {} for `volume create`. */
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  /** Created for a container's VOLUME path or `-v /path`: removed with `rm -v` and `run --rm`. */
  anonymous: boolean;
  /** RFC 3339, seconds (Docker's CreatedAt). */
  createdAt: string;
}

interface VolumeRow {
  name: string;
  driver: string;
  labels: string | null;
  options: string | null;
  anonymous: number;
  created_at: string;
}

const fromRow = (r: VolumeRow): VolumeRecord => ({
  name: r.name,
  driver: r.driver,
  labels: r.labels === null ? null : (JSON.parse(r.labels) as Record<string, string>),
  options: r.options === null ? null : (JSON.parse(r.options) as Record<string, string>),
  anonymous: r.anonymous === 1,
  createdAt: r.created_at,
});

export class VolumeRecords {
  constructor(private readonly q: Statements) {}

  get(name: string): VolumeRecord | undefined {
    const row = this.q.sql("SELECT * FROM volumes WHERE name = ?").get(name) as VolumeRow | undefined;
    return row && fromRow(row);
  }

  list(): VolumeRecord[] {
    return (this.q.sql("SELECT * FROM volumes").all() as VolumeRow[]).map(fromRow);
  }

  /** Inserts unless a volume of that name exists; true when inserted. */
  insert(v: VolumeRecord): boolean {
    const r = this.q
      .sql(
        "INSERT OR IGNORE INTO volumes (name, driver, labels, options, anonymous, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        v.name,
        v.driver,
        v.labels === null ? null : JSON.stringify(v.labels),
        v.options === null ? null : JSON.stringify(v.options),
        v.anonymous ? 1 : 0,
        v.createdAt,
      );
    return r.changes > 0;
  }

  delete(name: string): void {
    this.q.sql("DELETE FROM volumes WHERE name = ?").run(name);
  }
}
