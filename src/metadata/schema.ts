/**
 * The database schema, applied in order by `migrate`. A migration is never
 * edited once released: add a new one instead.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE layers (
    chain_id          TEXT PRIMARY KEY,
    diff_id           TEXT NOT NULL,
    parent            TEXT,
    size              INTEGER NOT NULL,
    compressed_digest TEXT,
    compressed_size   INTEGER,
    media_type        TEXT,
    link              TEXT NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL
  );
  CREATE TABLE images (
    id                  TEXT PRIMARY KEY,
    manifest_digest     TEXT,
    manifest_media_type TEXT,
    index_digest        TEXT,
    created             TEXT,
    os                  TEXT,
    architecture        TEXT,
    variant             TEXT,
    chain               TEXT NOT NULL,
    size                INTEGER NOT NULL,
    last_tag_time       TEXT,
    stored_at           INTEGER NOT NULL
  );
  CREATE TABLE refs (
    name       TEXT PRIMARY KEY,
    repo       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('tag', 'digest')),
    image_id   TEXT NOT NULL REFERENCES images(id),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX refs_by_image ON refs(image_id);
  CREATE TABLE blob_diff_ids (
    digest  TEXT PRIMARY KEY,
    diff_id TEXT NOT NULL
  );
  `,
];
