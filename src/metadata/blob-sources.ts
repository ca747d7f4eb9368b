/**
 * The blob_sources table, Docker's v2metadata: which compressed blob each
 * layer (by diff ID) was pulled as or pushed as, and where. A push asks it
 * for blobs the destination may already hold (HEAD), can mount from a
 * sibling repository, or can copy from the registry the layer came from,
 * before it compresses anything.
 */
import type { Digest } from "../digest/index.ts";
import type { Statements } from "./statements.ts";

export interface BlobSource {
  diffId: Digest;
  digest: Digest;
  mediaType: string;
  size: number;
  /** The registry's domain as references name it (`127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** The repository path (`library/ubuntu`). */
  repository: string;
  seenAt: number;
}

interface Row {
  diff_id: string;
  digest: string;
  media_type: string;
  size: number;
  registry: string;
  repository: string;
  seen_at: number;
}

const fromRow = (r: Row): BlobSource => ({
  diffId: r.diff_id as Digest,
  digest: r.digest as Digest,
  mediaType: r.media_type,
  size: r.size,
  registry: r.registry,
  repository: r.repository,
  seenAt: r.seen_at,
});

export class BlobSources {
  constructor(private readonly q: Statements) {}

  /** Every known blob of a layer, most recently seen first. */
  forDiffId(diffId: Digest): BlobSource[] {
    const rows = this.q
      .sql("SELECT * FROM blob_sources WHERE diff_id = ? ORDER BY seen_at DESC")
      .all(diffId) as Row[];
    return rows.map(fromRow);
  }

  /** Records (or refreshes) where a layer's blob was seen. */
  add(sources: Omit<BlobSource, "seenAt">[]): void {
    if (sources.length === 0) return;
    const stmt = this.q.sql(
      `INSERT INTO blob_sources (diff_id, digest, media_type, size, registry, repository, seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (diff_id, digest, registry, repository)
       DO UPDATE SET media_type = excluded.media_type, size = excluded.size, seen_at = excluded.seen_at`,
    );
    const now = Date.now();
    this.q.db
      .transaction(() => {
        for (const s of sources)
          stmt.run(s.diffId, s.digest, s.mediaType, s.size, s.registry, s.repository, now);
      })
      .immediate();
  }
}
