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
  `
  CREATE TABLE containers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    image_id    TEXT NOT NULL,
    image_name  TEXT NOT NULL,
    chain       TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    state       TEXT NOT NULL,
    pid         INTEGER NOT NULL DEFAULT 0,
    exit_code   INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT,
    finished_at TEXT
  );
  CREATE INDEX containers_by_image ON containers(image_id);
  `,
  // Where each layer's compressed form lives (Docker's v2metadata): diff ID → blob digest, media
  // type and size, per registry and repository it was pulled from or pushed to. Push asks it which
  // blob to HEAD, mount or copy instead of compressing again.
  `
  CREATE TABLE blob_sources (
    diff_id    TEXT NOT NULL,
    digest     TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (diff_id, digest, registry, repository)
  );
  `,
  `
  CREATE TABLE volumes (
    name       TEXT PRIMARY KEY,
    driver     TEXT NOT NULL,
    labels     TEXT,
    options    TEXT,
    anonymous  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE build_cache (
    key        TEXT PRIMARY KEY,
    parent     TEXT,
    description TEXT NOT NULL,
    chain      TEXT NOT NULL,
    state      TEXT NOT NULL,
    layer      TEXT,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used  INTEGER NOT NULL
  );
  CREATE TABLE build_file_hashes (
    path   TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    mtime  TEXT NOT NULL,
    ino    TEXT NOT NULL,
    digest TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE networks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    driver     TEXT NOT NULL,
    subnet     TEXT,
    gateway    TEXT,
    internal   INTEGER NOT NULL DEFAULT 0,
    labels     TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  );
  CREATE TABLE endpoints (
    network_id   TEXT NOT NULL,
    container_id TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    aliases      TEXT NOT NULL DEFAULT '[]',
    requested_ip TEXT,
    ip           TEXT,
    interface    TEXT,
    PRIMARY KEY (network_id, container_id),
    UNIQUE (network_id, ip)
  );
  CREATE INDEX endpoints_by_container ON endpoints(container_id);
  CREATE TABLE container_networking (
    container_id TEXT PRIMARY KEY,
    settings     TEXT NOT NULL,
    ports        TEXT
  );
  `,
  // An image's parent image, as Docker's image store keeps it (`commit` sets it): what `rmi` prunes.
  `
  CREATE TABLE image_parents (
    child  TEXT PRIMARY KEY,
    parent TEXT NOT NULL
  );
  CREATE INDEX image_parents_by_parent ON image_parents(parent);
  `,
  // What strata did, as Docker's events (metadata/events.ts): any process reads back what another did.
  `
  CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    attributes TEXT NOT NULL,
    time       INTEGER NOT NULL,
    nanos      INTEGER NOT NULL
  );
  `,
  // Restart policies (metadata/restarts.ts): RestartCount, a user's stop, the back-off between restarts.
  `
  CREATE TABLE container_restarts (
    container_id     TEXT PRIMARY KEY,
    restart_count    INTEGER NOT NULL DEFAULT 0,
    manually_stopped INTEGER NOT NULL DEFAULT 0,
    backoff_ms       INTEGER NOT NULL DEFAULT 0
  );
  `,
  // Leases: work in progress pins what it uses until it is recorded (src/gc/lease.ts).
  `
  CREATE TABLE leases (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE lease_resources (
    lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
    type     TEXT NOT NULL,
    key      TEXT NOT NULL,
    PRIMARY KEY (lease_id, type, key)
  );
  `,
  // Which container-config schema validated a row's config when it was written (metadata/containers.ts):
  // rows of the current one are read without zod. 0: written before, parsed with zod on every read.
  `
  ALTER TABLE containers ADD COLUMN config_version INTEGER NOT NULL DEFAULT 0;
  `,
];
