/**
 * `system prune`: docker/cli's sequence of prunes, in its order: stopped
 * containers, unused networks, (with `volumes`) unused anonymous volumes,
 * dangling (with `all` unused) images, then the build cache (all of it with
 * `all`). Each step sees what the one before freed (an image a pruned
 * container used is unused by then). The same filters reach every step.
 */
import { StrataError } from "../errors.ts";
import type { ImageService, PruneResult } from "../image/index.ts";
import { type PruneWhere, parsePruneFilters } from "./prune-filters.ts";

type Where = { where?: PruneWhere };

/** The services whose prunes `system prune` runs (the engine wires them in). */
export interface PruneSources {
  containers: { prune(opts: Where): Promise<{ deleted: string[]; reclaimed: number }> };
  /** Networks read the prune filters themselves (network/filters.ts). */
  networks: { prune(opts: { filters?: string[] }): Promise<string[]> };
  volumes: {
    prune(opts: { filters?: string[]; anonymousOnly?: boolean }): { deleted: string[]; reclaimed: number };
  };
}

export interface SystemPruneOptions {
  /** Unused images, not only dangling ones, and all the build cache (`-a`). */
  all?: boolean;
  /** Anonymous volumes no container uses too (`--volumes`). */
  volumes?: boolean;
  /** `--filter` arguments: `until=…`, `label=…`, `label!=…`. */
  filters?: string[];
}

export interface SystemPruneResult {
  containers: string[];
  networks: string[];
  /** Absent unless `volumes` was asked for. */
  volumes?: string[];
  images: PruneResult["records"];
  buildCache: string[];
  /** Bytes freed by every step together. */
  spaceReclaimed: number;
}

export async function systemPrune(
  sources: PruneSources,
  images: ImageService,
  opts: SystemPruneOptions = {},
): Promise<SystemPruneResult> {
  const filters = parsePruneFilters(opts.filters ?? []);
  if (opts.volumes && filters.hasUntil) {
    throw new StrataError("INVALID_ARGUMENT", 'ERROR: The "until" filter is not supported with "--volumes"', {
      details: { prefix: "" },
    });
  }
  const where = filters.empty ? undefined : filters.where;
  const containers = await sources.containers.prune({ where });
  const networks = await sources.networks.prune({ filters: opts.filters ?? [] });
  const volumes = opts.volumes
    ? sources.volumes.prune({ filters: filters.labelArgs, anonymousOnly: true })
    : undefined;
  const pruned = await images.prune({ all: opts.all, where });
  const cache = await images.pruneBuildCache({ all: opts.all, where });
  return {
    containers: containers.deleted,
    networks,
    ...(volumes ? { volumes: volumes.deleted } : {}),
    images: pruned.records,
    buildCache: cache.deleted,
    spaceReclaimed:
      containers.reclaimed + (volumes?.reclaimed ?? 0) + pruned.spaceReclaimed + cache.spaceReclaimed,
  };
}
