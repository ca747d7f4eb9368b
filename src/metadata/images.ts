/**
 * The images table and the names (refs) that point into it: one store, as a
 * name never outlives its image (deleting an image deletes its names).
 */
import type { Digest } from "../digest/index.ts";
import type { ImageRecord, RefRecord } from "./records.ts";
import type { Statements } from "./statements.ts";

interface ImageRow {
  id: string;
  manifest_digest: string | null;
  manifest_media_type: string | null;
  index_digest: string | null;
  created: string | null;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  chain: string;
  size: number;
  last_tag_time: string | null;
  stored_at: number;
}

interface RefRow {
  name: string;
  repo: string;
  kind: "tag" | "digest";
  image_id: string;
  created_at: number;
}

const imageFromRow = (r: ImageRow): ImageRecord => ({
  id: r.id as Digest,
  manifestDigest: r.manifest_digest as Digest | null,
  manifestMediaType: r.manifest_media_type,
  indexDigest: r.index_digest as Digest | null,
  created: r.created,
  os: r.os,
  architecture: r.architecture,
  variant: r.variant,
  chain: JSON.parse(r.chain) as Digest[],
  size: r.size,
  lastTagTime: r.last_tag_time,
  storedAt: r.stored_at,
});

const refFromRow = (r: RefRow): RefRecord => ({
  name: r.name,
  repo: r.repo,
  kind: r.kind,
  imageId: r.image_id as Digest,
  createdAt: r.created_at,
});

export class ImageRecords {
  constructor(private readonly q: Statements) {}

  get(id: Digest): ImageRecord | undefined {
    const row = this.q.sql("SELECT * FROM images WHERE id = ?").get(id) as ImageRow | undefined;
    return row && imageFromRow(row);
  }

  list(): ImageRecord[] {
    return (this.q.sql("SELECT * FROM images").all() as ImageRow[]).map(imageFromRow);
  }

  /** Images whose ID hex starts with `hexPrefix`. */
  findByPrefix(hexPrefix: string): ImageRecord[] {
    const rows = this.q
      .sql("SELECT * FROM images WHERE id >= ? AND id < ? LIMIT 2")
      .all(`sha256:${hexPrefix}`, `sha256:${hexPrefix}\uffff`) as ImageRow[];
    return rows.map(imageFromRow);
  }

  put(i: ImageRecord): void {
    this.q
      .sql(
        `INSERT INTO images (id, manifest_digest, manifest_media_type, index_digest, created, os, architecture,
           variant, chain, size, last_tag_time, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET manifest_digest = excluded.manifest_digest,
           manifest_media_type = excluded.manifest_media_type, index_digest = excluded.index_digest`,
      )
      .run(
        i.id,
        i.manifestDigest,
        i.manifestMediaType,
        i.indexDigest,
        i.created,
        i.os,
        i.architecture,
        i.variant,
        JSON.stringify(i.chain),
        i.size,
        i.lastTagTime,
        i.storedAt,
      );
  }

  /** Deletes the image and every name pointing at it. */
  delete(id: Digest): void {
    this.q.sql("DELETE FROM refs WHERE image_id = ?").run(id);
    this.q.sql("DELETE FROM images WHERE id = ?").run(id);
  }

  setLastTagTime(id: Digest, time: string): void {
    this.q.sql("UPDATE images SET last_tag_time = ? WHERE id = ?").run(time, id);
  }

  // --- names --------------------------------------------------------------------

  getRef(name: string): RefRecord | undefined {
    const row = this.q.sql("SELECT * FROM refs WHERE name = ?").get(name) as RefRow | undefined;
    return row && refFromRow(row);
  }

  refsOf(imageId: Digest): RefRecord[] {
    const rows = this.q.sql("SELECT * FROM refs WHERE image_id = ? ORDER BY name").all(imageId) as RefRow[];
    return rows.map(refFromRow);
  }

  listRefs(): RefRecord[] {
    return (this.q.sql("SELECT * FROM refs ORDER BY name").all() as RefRow[]).map(refFromRow);
  }

  /** Points `name` at `imageId`; returns the image it pointed at before, if any. */
  setRef(ref: Omit<RefRecord, "createdAt">): Digest | undefined {
    const previous = this.getRef(ref.name);
    this.q
      .sql(
        `INSERT INTO refs (name, repo, kind, image_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`,
      )
      .run(ref.name, ref.repo, ref.kind, ref.imageId, Date.now());
    return previous?.imageId;
  }

  deleteRef(name: string): void {
    this.q.sql("DELETE FROM refs WHERE name = ?").run(name);
  }
}
