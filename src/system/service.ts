/** Store-wide views and maintenance: disk usage and integrity checks. */
import { StrataError } from "../errors.ts";
import type { ImageService } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import type { CheckReport } from "./check.ts";
import { type ContainerUsageSource, type DiskUsage, diskUsage, type VolumeUsageSource } from "./df.ts";
import type { EngineEvent, EventsOptions } from "./events.ts";
import type { EngineInfo } from "./info.ts";
import type { PruneSources, SystemPruneOptions, SystemPruneResult } from "./prune.ts";
import type { ImageTree, TreeContainer } from "./tree.ts";
import type { EngineVersion } from "./version.ts";

export class SystemService {
  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
    private readonly containers: ContainerUsageSource,
    private readonly volumes?: VolumeUsageSource,
    /** Every container with its settled state, without sizes (`info`'s counts). */
    private readonly states: () => Promise<{ state: string }[]> = containers,
    /** The services `system prune` runs the prunes of. */
    private readonly pruneSources?: PruneSources,
  ) {}

  /** `system prune`: stopped containers, unused networks, (anonymous volumes,) images and build cache. */
  async prune(opts: SystemPruneOptions = {}): Promise<SystemPruneResult> {
    if (!this.pruneSources) throw new StrataError("INTERNAL", "system prune needs the engine's services");
    const { systemPrune } = await import("./prune.ts");
    return systemPrune(this.pruneSources, this.images, opts);
  }

  /** `version`'s server section: strata, the API it serves, the runtime and monitor. */
  async version(): Promise<EngineVersion> {
    const { engineVersion } = await import("./version.ts");
    return engineVersion();
  }

  /** `info`: counts, storage driver, runtime, cgroups and host, in Docker's shape. */
  async info(): Promise<EngineInfo> {
    const { engineInfo } = await import("./info.ts");
    const containers = await this.states();
    return engineInfo(this.store.root, containers, this.store.meta.images.list().length);
  }

  /** What strata did (Docker's events), read back from the store; follows new ones unless `until` has passed. */
  async events(opts: EventsOptions = {}): Promise<AsyncGenerator<EngineEvent>> {
    const { readEvents } = await import("./events.ts");
    return readEvents(this.store, opts);
  }

  df(): Promise<DiskUsage> {
    return diskUsage(this.store, this.images, this.containers, this.volumes);
  }

  /**
   * The store as a tree of shared layers (`image tree`), limited to the named
   * images when some are given; sharing and what removal frees still count
   * every image in the store.
   */
  async tree(names: string[] = []): Promise<ImageTree> {
    const only =
      names.length > 0 ? new Set<string>(names.map((n) => this.images.get(n).image.id)) : undefined;
    const containers = new Map<string, TreeContainer[]>();
    for (const c of await this.containers()) {
      const leaf = { id: c.id, name: c.names[0] ?? c.id, state: c.state, sizeRw: c.sizeRw };
      containers.set(c.imageId, [...(containers.get(c.imageId) ?? []), leaf]);
    }
    const records = this.store.meta.images.list();
    const summaries = this.images.list({ records });
    const { buildTree } = await import("./tree.ts");
    return buildTree({
      images: records,
      layers: this.store.meta.layers.shapes(),
      names: new Map(summaries.map((s) => [s.id, s.repoTags])),
      containers,
      only,
    });
  }

  /** Verifies every blob and layer against its digest and every name against its image. */
  async check(opts: { repair?: boolean } = {}): Promise<CheckReport> {
    const { checkStore } = await import("./check.ts");
    return checkStore(this.store, opts);
  }
}
