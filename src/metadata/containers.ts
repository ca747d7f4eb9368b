/** The containers table; a row's config is parsed once here into a typed ContainerConfig. */
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { CONFIG_VERSION, type ContainerConfig, containerConfigSchema } from "./container-config.ts";
import type { ContainerRecord, ContainerState } from "./records.ts";
import type { Statements } from "./statements.ts";

interface ContainerRow {
  id: string;
  name: string;
  image_id: string;
  image_name: string;
  chain: string;
  config: string;
  /** The CONFIG_VERSION whose schema validated `config` on its way in; 0 for rows of before. */
  config_version: number;
  created_at: string;
  state: ContainerState;
  pid: number;
  exit_code: number;
  started_at: string | null;
  finished_at: string | null;
}

function parseConfig(r: ContainerRow): ContainerConfig {
  let json: unknown;
  try {
    json = JSON.parse(r.config);
  } catch (cause) {
    throw new StrataError("STORE_CORRUPT", `the stored configuration of container ${r.id} is not JSON`, {
      cause,
    });
  }
  // Validated by this schema when it was written (toStored): nothing left to check or default.
  if (r.config_version === CONFIG_VERSION) return json as ContainerConfig;
  const parsed = containerConfigSchema().safeParse(json);
  if (!parsed.success) {
    throw new StrataError(
      "STORE_CORRUPT",
      `the stored configuration of container ${r.id} is invalid: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

/** The config as stored: what the schema makes of it (a bug upstream fails here, not at every read). */
const toStored = (config: ContainerConfig): string => JSON.stringify(containerConfigSchema().parse(config));

const fromRow = (r: ContainerRow): ContainerRecord => ({
  id: r.id,
  name: r.name,
  imageId: r.image_id as Digest,
  imageName: r.image_name,
  chain: JSON.parse(r.chain) as Digest[],
  config: parseConfig(r),
  createdAt: r.created_at,
  state: r.state,
  pid: r.pid,
  exitCode: r.exit_code,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** The fields of a record that change after creation, and their columns. */
const COLUMNS = {
  state: "state",
  pid: "pid",
  exitCode: "exit_code",
  startedAt: "started_at",
  finishedAt: "finished_at",
  name: "name",
} as const;

export type ContainerPatch = Partial<Pick<ContainerRecord, keyof typeof COLUMNS>>;

export class ContainerRecords {
  constructor(private readonly q: Statements) {}

  get(id: string): ContainerRecord | undefined {
    const row = this.q.sql("SELECT * FROM containers WHERE id = ?").get(id) as ContainerRow | undefined;
    return row && fromRow(row);
  }

  getByName(name: string): ContainerRecord | undefined {
    const row = this.q.sql("SELECT * FROM containers WHERE name = ?").get(name) as ContainerRow | undefined;
    return row && fromRow(row);
  }

  /** Containers whose ID starts with `prefix` (at most two: enough to tell ambiguity). */
  findByPrefix(prefix: string): ContainerRecord[] {
    const rows = this.q
      .sql("SELECT * FROM containers WHERE id >= ? AND id < ? LIMIT 2")
      .all(prefix, `${prefix}\uffff`) as ContainerRow[];
    return rows.map(fromRow);
  }

  list(): ContainerRecord[] {
    return (this.q.sql("SELECT * FROM containers").all() as ContainerRow[]).map(fromRow);
  }

  ofImage(imageId: Digest): ContainerRecord[] {
    const rows = this.q.sql("SELECT * FROM containers WHERE image_id = ?").all(imageId) as ContainerRow[];
    return rows.map(fromRow);
  }

  /** Inserts a new container; fails with the SQLite constraint error when the name is taken. */
  insert(c: ContainerRecord): void {
    this.q
      .sql(
        `INSERT INTO containers (id, name, image_id, image_name, chain, config, config_version, created_at, state,
           pid, exit_code, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.name,
        c.imageId,
        c.imageName,
        JSON.stringify(c.chain),
        toStored(c.config),
        CONFIG_VERSION,
        c.createdAt,
        c.state,
        c.pid,
        c.exitCode,
        c.startedAt,
        c.finishedAt,
      );
  }

  update(id: string, patch: ContainerPatch): void {
    const keys = Object.keys(patch) as (keyof ContainerPatch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${COLUMNS[k]} = ?`).join(", ");
    this.q.sql(`UPDATE containers SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id);
  }

  /** Replaces a container's config (`update` changes its limits). */
  updateConfig(id: string, config: ContainerConfig): void {
    this.q
      .sql("UPDATE containers SET config = ?, config_version = ? WHERE id = ?")
      .run(toStored(config), CONFIG_VERSION, id);
  }

  delete(id: string): void {
    this.q.sql("DELETE FROM containers WHERE id = ?").run(id);
  }
}
