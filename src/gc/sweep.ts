/**
 * Garbage collection of the store: marks what images (and, later, containers)
 * reach, then removes every other layer, blob, link and staging leftover. It
 * runs under the exclusive GC lock, so no pull is between "layer exists" and
 * "image recorded" while it looks.
 */
import { promises as fsPromises } from "node:fs";
import type { Digest } from "../digest/index.ts";
import type { ImageRecord, LayerRecord } from "../metadata/index.ts";
import { FileLock } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { mark, type Node, nodeId } from "./mark.ts";

export interface SweepResult {
  layers: Digest[];
  blobs: Digest[];
  reclaimed: number;
}

function imageRefs(image: ImageRecord): Node[] {
  const out: Node[] = [{ type: "blob", key: image.id }];
  if (image.manifestDigest) out.push({ type: "blob", key: image.manifestDigest });
  if (image.indexDigest) out.push({ type: "blob", key: image.indexDigest });
  for (const chainId of image.chain) out.push({ type: "layer", key: chainId });
  return out;
}

/** The build cache keeps its steps' layers until `builder prune`. */
function buildCacheRoots(store: Store): Node[] {
  return [...store.meta.buildCache.layers()].map((key) => ({ type: "layer" as const, key }));
}

/** Marks from the database's roots. `extraRoots` lets callers add containers' layers. */
export function reachable(store: Store, extraRoots: Node[] = []): Set<string> {
  const images = new Map(store.meta.images.list().map((i) => [i.id as string, i]));
  const roots: Node[] = [
    ...[...images.keys()].map((key) => ({ type: "image" as const, key })),
    ...buildCacheRoots(store),
    ...extraRoots,
  ];
  return mark(roots, (n) => {
    if (n.type !== "image") return [];
    const image = images.get(n.key);
    return image ? imageRefs(image) : [];
  });
}

/**
 * Sweeps unreachable content. Waits for the exclusive lock unless `tryOnly`,
 * in which case it returns undefined when another command holds the store.
 */
export async function sweep(
  store: Store,
  opts: { tryOnly?: boolean; extraRoots?: Node[] } = {},
): Promise<SweepResult | undefined> {
  const lock = new FileLock(store.gcLockPath);
  if (opts.tryOnly) {
    if (!lock.tryAcquire("exclusive")) return undefined;
  } else {
    await lock.acquire("exclusive");
  }
  try {
    return await sweepLocked(store, opts.extraRoots ?? []);
  } finally {
    lock.release();
  }
}

/** Deletes unreachable layers: their records in one transaction, then their directories and links. */
async function removeLayers(store: Store, doomed: LayerRecord[], result: SweepResult): Promise<void> {
  store.meta.transaction(() => {
    for (const layer of doomed) store.meta.layers.delete(layer.chainId);
  });
  for (const layer of doomed) {
    await store.layers.remove(layer.chainId, layer.link);
    result.layers.push(layer.chainId);
    result.reclaimed += layer.size;
  }
}

async function sweepLocked(store: Store, extraRoots: Node[]): Promise<SweepResult> {
  const live = reachable(store, extraRoots);
  const result: SweepResult = { layers: [], blobs: [], reclaimed: 0 };
  const records = new Map(store.meta.layers.list().map((l) => [l.chainId as string, l]));
  const doomed = [...records.values()].filter((l) => !live.has(nodeId({ type: "layer", key: l.chainId })));
  await removeLayers(store, doomed, result);
  // Directories without a record: a crash between rename and insert.
  for (const chainId of store.layers.listOnDisk()) {
    if (!records.has(chainId)) await store.layers.remove(chainId, null);
  }
  const links = new Set(
    [...records.values()].filter((l) => !result.layers.includes(l.chainId)).map((l) => l.link),
  );
  for (const link of store.layers.listLinks()) {
    if (!links.has(link)) await fsPromises.rm(store.layers.linkPath(link), { force: true });
  }
  for (const digest of store.content.list()) {
    if (live.has(nodeId({ type: "blob", key: digest }))) continue;
    store.content.delete(digest);
    result.blobs.push(digest);
  }
  await clearStaging(store);
  return result;
}

/**
 * Which candidates something still holds: what images hold (imageRefs, as
 * mark() follows them) and the extra roots, asked only about the
 * candidates, so a store of 200 images answers in a single scan.
 */
function stillHeld(
  store: Store,
  candidates: { layers: Digest[]; blobs: Digest[] },
  extraRoots: Node[],
): Set<string> {
  const wanted = new Set<string>([...candidates.layers, ...candidates.blobs]);
  const held = new Set<string>();
  const see = (key: string) => {
    if (wanted.has(key)) held.add(key);
  };
  for (const image of store.meta.images.list()) for (const n of imageRefs(image)) see(n.key);
  for (const root of [...buildCacheRoots(store), ...extraRoots]) see(root.key);
  return held;
}

/**
 * Sweeps only `candidates` (what one removal may have freed): the same
 * marking, without listing every layer, link and blob on disk, so `rmi`
 * costs the same in a store of 4,000 layers as in one of 10. Leftovers of
 * crashes are the full sweep's business (prune, `system check --repair`).
 */
export async function sweepCandidates(
  store: Store,
  candidates: { layers: Digest[]; blobs: Digest[] },
  opts: { extraRoots?: Node[] } = {},
): Promise<SweepResult> {
  const lock = new FileLock(store.gcLockPath);
  await lock.acquire("exclusive");
  try {
    const held = stillHeld(store, candidates, opts.extraRoots ?? []);
    const result: SweepResult = { layers: [], blobs: [], reclaimed: 0 };
    const doomed = candidates.layers
      .filter((chainId) => !held.has(chainId))
      .flatMap((chainId) => store.meta.layers.get(chainId) ?? []);
    await removeLayers(store, doomed, result);
    for (const digest of candidates.blobs) {
      if (held.has(digest)) continue;
      store.content.delete(digest);
      result.blobs.push(digest);
    }
    return result;
  } finally {
    lock.release();
  }
}

/** Staging leftovers, partial blobs and layer lock files; only safe under the exclusive lock (nobody is pulling). */
async function clearStaging(store: Store): Promise<void> {
  store.content.removePartial();
  for (const path of store.layers.listTmp()) await fsPromises.rm(path, { recursive: true, force: true });
  await fsPromises.rm(store.layerLockDir, { recursive: true, force: true });
}

/**
 * Clears what interrupted commands left in tmp/ when no other command is
 * using the store; does nothing (and does not wait) otherwise.
 */
export async function clearStagingIfIdle(store: Store): Promise<boolean> {
  const lock = new FileLock(store.gcLockPath);
  if (!lock.tryAcquire("exclusive")) return false;
  try {
    await clearStaging(store);
    return true;
  } finally {
    lock.release();
  }
}
