/**
 * Typed access to the metadata database. Every method is one statement or one
 * transaction; callers compose several with `transaction`.
 */

import type Database from "better-sqlite3";
import type { Digest } from "../digest/index.ts";
import { type Db, openDb } from "./db.ts";
import type { ContainerRecord, ContainerState, ImageRecord, LayerRecord, RefRecord } from "./records.ts";

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

interface ContainerRow {
  id: string;
  name: string;
  image_id: string;
  image_name: string;
  chain: string;
  config: string;
  created_at: string;
  state: ContainerState;
  pid: number;
  exit_code: number;
  started_at: string | null;
  finished_at: string | null;
}

const containerFromRow = (r: ContainerRow): ContainerRecord => ({
  id: r.id,
  name: r.name,
  imageId: r.image_id as Digest,
  imageName: r.image_name,
  chain: JSON.parse(r.chain) as Digest[],
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdAt: r.created_at,
  state: r.state,
  pid: r.pid,
  exitCode: r.exit_code,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const layerFromRow = (r: LayerRow): LayerRecord => ({
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

export class MetadataStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(readonly db: Db) {}

  /** A prepared statement, compiled once per process (listing 100 containers reuses one). */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  static open(path: string): MetadataStore {
    return new MetadataStore(openDb(path));
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- layers ---------------------------------------------------------------

  getLayer(chainId: Digest): LayerRecord | undefined {
    const row = this.sql("SELECT * FROM layers WHERE chain_id = ?").get(chainId) as LayerRow | undefined;
    return row && layerFromRow(row);
  }

  /** Each layer's size by chain ID: what listings need, without building 4,000 records. */
  layerSizes(): Map<string, number> {
    const rows = this.sql("SELECT chain_id, size FROM layers").raw(true).all() as Array<[string, number]>;
    return new Map(rows);
  }

  listLayers(): LayerRecord[] {
    return (this.sql("SELECT * FROM layers").all() as LayerRow[]).map(layerFromRow);
  }

  /** Inserts a layer unless one with the same chain ID exists; returns whether it was inserted. */
  putLayer(l: LayerRecord): boolean {
    const info = this.sql(
      `INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, compressed_digest, compressed_size,
           media_type, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
      this.sql("INSERT OR REPLACE INTO blob_diff_ids (digest, diff_id) VALUES (?, ?)").run(
        l.compressedDigest,
        l.diffId,
      );
    }
    return info.changes === 1;
  }

  deleteLayer(chainId: Digest): void {
    this.sql("DELETE FROM layers WHERE chain_id = ?").run(chainId);
  }

  // --- images ---------------------------------------------------------------

  getImage(id: Digest): ImageRecord | undefined {
    const row = this.sql("SELECT * FROM images WHERE id = ?").get(id) as ImageRow | undefined;
    return row && imageFromRow(row);
  }

  listImages(): ImageRecord[] {
    return (this.sql("SELECT * FROM images").all() as ImageRow[]).map(imageFromRow);
  }

  /** Images whose ID hex starts with `hexPrefix`. */
  findImagesByPrefix(hexPrefix: string): ImageRecord[] {
    const rows = this.sql("SELECT * FROM images WHERE id >= ? AND id < ? LIMIT 2").all(
      `sha256:${hexPrefix}`,
      `sha256:${hexPrefix}\uffff`,
    ) as ImageRow[];
    return rows.map(imageFromRow);
  }

  putImage(i: ImageRecord): void {
    this.sql(
      `INSERT INTO images (id, manifest_digest, manifest_media_type, index_digest, created, os, architecture,
           variant, chain, size, last_tag_time, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET manifest_digest = excluded.manifest_digest,
           manifest_media_type = excluded.manifest_media_type, index_digest = excluded.index_digest`,
    ).run(
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

  deleteImage(id: Digest): void {
    this.sql("DELETE FROM refs WHERE image_id = ?").run(id);
    this.sql("DELETE FROM images WHERE id = ?").run(id);
  }

  // --- references -------------------------------------------------------------

  getRef(name: string): RefRecord | undefined {
    const row = this.sql("SELECT * FROM refs WHERE name = ?").get(name) as RefRow | undefined;
    return row && refFromRow(row);
  }

  refsOf(imageId: Digest): RefRecord[] {
    const rows = this.sql("SELECT * FROM refs WHERE image_id = ? ORDER BY name").all(imageId) as RefRow[];
    return rows.map(refFromRow);
  }

  listRefs(): RefRecord[] {
    return (this.sql("SELECT * FROM refs ORDER BY name").all() as RefRow[]).map(refFromRow);
  }

  /** Points `name` at `imageId`; returns the image it pointed at before, if any. */
  setRef(ref: Omit<RefRecord, "createdAt">): Digest | undefined {
    const previous = this.getRef(ref.name);
    this.sql(
      `INSERT INTO refs (name, repo, kind, image_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`,
    ).run(ref.name, ref.repo, ref.kind, ref.imageId, Date.now());
    return previous?.imageId;
  }

  deleteRef(name: string): void {
    this.sql("DELETE FROM refs WHERE name = ?").run(name);
  }

  setLastTagTime(id: Digest, time: string): void {
    this.sql("UPDATE images SET last_tag_time = ? WHERE id = ?").run(time, id);
  }

  // --- containers -------------------------------------------------------------

  getContainer(id: string): ContainerRecord | undefined {
    const row = this.sql("SELECT * FROM containers WHERE id = ?").get(id) as ContainerRow | undefined;
    return row && containerFromRow(row);
  }

  getContainerByName(name: string): ContainerRecord | undefined {
    const row = this.sql("SELECT * FROM containers WHERE name = ?").get(name) as ContainerRow | undefined;
    return row && containerFromRow(row);
  }

  /** Containers whose ID starts with `prefix` (at most two: enough to tell ambiguity). */
  findContainersByPrefix(prefix: string): ContainerRecord[] {
    const rows = this.sql("SELECT * FROM containers WHERE id >= ? AND id < ? LIMIT 2").all(
      prefix,
      `${prefix}\uffff`,
    ) as ContainerRow[];
    return rows.map(containerFromRow);
  }

  listContainers(): ContainerRecord[] {
    return (this.sql("SELECT * FROM containers").all() as ContainerRow[]).map(containerFromRow);
  }

  containersOfImage(imageId: Digest): ContainerRecord[] {
    const rows = this.sql("SELECT * FROM containers WHERE image_id = ?").all(imageId) as ContainerRow[];
    return rows.map(containerFromRow);
  }

  /** Inserts a new container; fails with the SQLite constraint error when the name is taken. */
  insertContainer(c: ContainerRecord): void {
    this.sql(
      `INSERT INTO containers (id, name, image_id, image_name, chain, config, created_at, state, pid, exit_code,
           started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      c.id,
      c.name,
      c.imageId,
      c.imageName,
      JSON.stringify(c.chain),
      JSON.stringify(c.config),
      c.createdAt,
      c.state,
      c.pid,
      c.exitCode,
      c.startedAt,
      c.finishedAt,
    );
  }

  updateContainer(
    id: string,
    patch: Partial<Pick<ContainerRecord, "state" | "pid" | "exitCode" | "startedAt" | "finishedAt" | "name">>,
  ): void {
    const columns: Record<string, string> = {
      state: "state",
      pid: "pid",
      exitCode: "exit_code",
      startedAt: "started_at",
      finishedAt: "finished_at",
      name: "name",
    };
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${columns[k]} = ?`).join(", ");
    this.sql(`UPDATE containers SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id);
  }

  deleteContainer(id: string): void {
    this.sql("DELETE FROM containers WHERE id = ?").run(id);
  }
}
