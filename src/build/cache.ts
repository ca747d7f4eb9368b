/**
 * The build cache as a whole: its size for `system df` and its removal for
 * `builder prune`. Records that added a layer count that layer's size once;
 * the layers become ordinary garbage (swept unless an image holds them).
 */
import { sweep } from "../gc/index.ts";
import type { Store } from "../store/index.ts";

export interface BuildCacheUsage {
  /** Cache records of steps that ran (RUN, COPY, ADD, WORKDIR and bases). */
  total: number;
  active: number;
  size: number;
  reclaimable: number;
  /** One row per step record, for `system df -v`. */
  records: { id: string; description: string; size: number; createdAt: number; lastUsed: number }[];
}

const STEP = /^(RUN|COPY|ADD|WORKDIR|FROM)\b/;

export function buildCacheUsage(store: Store): BuildCacheUsage {
  const records = store.meta.buildCache.list().filter((r) => STEP.test(r.description));
  const seen = new Set<string>();
  let size = 0;
  for (const r of records) {
    if (r.layer && !seen.has(r.layer)) {
      seen.add(r.layer);
      size += r.size;
    }
  }
  const rows = records.map((r) => ({
    id: r.key.replace(/^sha256:/, ""),
    description: r.description,
    size: r.layer ? r.size : 0,
    createdAt: r.createdAt,
    lastUsed: r.lastUsed,
  }));
  return { total: records.length, active: 0, size, reclaimable: size, records: rows };
}

export interface PruneCacheResult {
  /** The records removed (their keys), steps only. */
  deleted: string[];
  spaceReclaimed: number;
}

/**
 * Without `all`, only dangling records go: those whose layer no image holds
 * (intermediate steps, other stages); with `all`, every record.
 */
export async function pruneBuildCache(
  store: Store,
  opts: {
    all?: boolean;
    /** A prune filter: cache records carry no labels, only their creation time. */
    where?: (labels: () => Record<string, string>, createdMs: number) => boolean;
  } = {},
): Promise<PruneCacheResult> {
  const cache = store.meta.buildCache;
  const held = new Set<string>();
  if (!opts.all) for (const image of store.meta.images.list()) for (const c of image.chain) held.add(c);
  const records = cache
    .list()
    .filter((r) => opts.all || r.chain.some((c) => !held.has(c)))
    .filter((r) => !opts.where || opts.where(() => ({}), r.createdAt));
  cache.deleteAll(records.map((r) => r.key));
  if (opts.all) {
    store.meta.fileHashes.clear();
  }
  const swept = await sweep(store);
  return {
    deleted: records.filter((r) => STEP.test(r.description)).map((r) => r.key),
    spaceReclaimed: swept?.reclaimed ?? 0,
  };
}
