/** The layers table: one row per committed, unpacked layer, keyed by chain ID. */
import type { Digest } from "../digest/index.ts";
import type { LayerRecord } from "./records.ts";
import type { Statements } from "./statements.ts";

interface LayerRow {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  size: number;
  compressed_digest: string | null;
  compressed_size: number | null;
  media_type: string | null;
  link: string;
  created_at: number;
}

const fromRow = (r: LayerRow): LayerRecord => ({
  chainId: r.chain_id as Digest,
  diffId: r.diff_id as Digest,
  parent: r.parent as Digest | null,
  size: r.size,
  compressedDigest: r.compressed_digest as Digest | null,
  compressedSize: r.compressed_size,
  mediaType: r.media_type,
  link: r.link,
  createdAt: r.created_at,
});

export class LayerRecords {
  constructor(private readonly q: Statements) {}

  get(chainId: Digest): LayerRecord | undefined {
    const row = this.q.sql("SELECT * FROM layers WHERE chain_id = ?").get(chainId) as LayerRow | undefined;
    return row && fromRow(row);
  }

  /** Each layer's size by chain ID: what listings need, without building 4,000 records. */
  sizes(): Map<string, number> {
    const rows = this.q.sql("SELECT chain_id, size FROM layers").raw(true).all() as Array<[string, number]>;
    return new Map(rows);
  }

  /** Each layer's diff ID and size by chain ID (`image tree`: 4,000 layers without their other seven fields). */
  shapes(): Map<string, Pick<LayerRecord, "diffId" | "size">> {
    const rows = this.q.sql("SELECT chain_id, diff_id, size FROM layers").raw(true).all() as Array<
      [string, Digest, number]
    >;
    return new Map(rows.map(([chainId, diffId, size]) => [chainId, { diffId, size }]));
  }

  list(): LayerRecord[] {
    return (this.q.sql("SELECT * FROM layers").all() as LayerRow[]).map(fromRow);
  }

  /** Inserts a layer unless one with the same chain ID exists; returns whether it was inserted. */
  put(l: LayerRecord): boolean {
    const info = this.q
      .sql(
        `INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, compressed_digest, compressed_size,
           media_type, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        l.chainId,
        l.diffId,
        l.parent,
        l.size,
        l.compressedDigest,
        l.compressedSize,
        l.mediaType,
        l.link,
        l.createdAt,
      );
    if (l.compressedDigest) {
      this.q
        .sql("INSERT OR REPLACE INTO blob_diff_ids (digest, diff_id) VALUES (?, ?)")
        .run(l.compressedDigest, l.diffId);
    }
    return info.changes === 1;
  }

  delete(chainId: Digest): void {
    this.q.sql("DELETE FROM layers WHERE chain_id = ?").run(chainId);
  }
}
