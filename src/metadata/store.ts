/**
 * The metadata database: one store per kind of record (as containerd keeps
 * one per bucket), sharing one connection and its prepared statements. Each
 * method is one statement; callers compose several with `transaction`.
 * A new kind of record gets its own file and one property here.
 */
import { BlobSources } from "./blob-sources.ts";
import { BuildCacheRecords, FileHashRecords } from "./build-cache.ts";
import { ContainerRecords } from "./containers.ts";
import { closeDb, type Db, openDb } from "./db.ts";
import { EventRecords } from "./events.ts";
import { ImageRecords } from "./images.ts";
import { LayerRecords } from "./layers.ts";
import { LeaseRecords } from "./leases.ts";
import { NetworkRecords } from "./networks.ts";
import { ImageParents } from "./parents.ts";
import { RestartRecords } from "./restarts.ts";
import { Statements } from "./statements.ts";
import { VolumeRecords } from "./volumes.ts";

export class MetadataStore {
  readonly layers: LayerRecords;
  /** Images and the names (tags, digests) that point at them. */
  readonly images: ImageRecords;
  readonly containers: ContainerRecords;
  /** Which compressed blob each layer was pulled or pushed as, and where (push reads it). */
  readonly blobSources: BlobSources;
  readonly volumes: VolumeRecords;
  /** Build steps' results by cache key, and the context file hashes builds reuse. */
  readonly buildCache: BuildCacheRecords;
  readonly fileHashes: FileHashRecords;
  /** Networks, their endpoints, and what containers asked of networking. */
  readonly networks: NetworkRecords;
  /** The image each committed image was made from. */
  readonly parents: ImageParents;
  /** What strata did (Docker's events), for `events` and the API's /events. */
  readonly events: EventRecords;
  /** Restart policies' memory: RestartCount, a user's stop, the back-off. */
  readonly restarts: RestartRecords;
  /** Work in progress and what it pins against garbage collection. */
  readonly leases: LeaseRecords;

  private constructor(readonly db: Db) {
    const q = new Statements(db);
    this.layers = new LayerRecords(q);
    this.images = new ImageRecords(q);
    this.containers = new ContainerRecords(q);
    this.blobSources = new BlobSources(q);
    this.volumes = new VolumeRecords(q);
    this.buildCache = new BuildCacheRecords(q);
    this.fileHashes = new FileHashRecords(q);
    this.networks = new NetworkRecords(q);
    this.parents = new ImageParents(q);
    this.events = new EventRecords(q);
    this.restarts = new RestartRecords(q);
    this.leases = new LeaseRecords(q);
  }

  static open(path: string): MetadataStore {
    return new MetadataStore(openDb(path));
  }

  close(): void {
    closeDb(this.db);
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
