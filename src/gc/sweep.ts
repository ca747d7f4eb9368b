/**
 * Garbage collection of the store: marks what images, containers and live
 * leases reach, then removes every other layer, blob, link and staging
 * leftover. It runs under the exclusive GC lock, so no pull is between
 * "layer exists" and "image recorded" while it looks; and it reads its roots
 * and deletes the records of what it frees in one transaction, so a create
 * pinning an image (a lease) or recording a container either comes before it
 * (and is spared) or after it (and sees the image gone).
 */
import { promises as fsPromises } from "node:fs";
import type { Digest } from "../digest/index.ts";
import type { ImageRecord, LayerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { eachLimited } from "../sys/each-limited.ts";
import { leasedResources } from "./lease.ts";
import { withGcLock } from "./lock.ts";
import { mark, type Node, nodeId } from "./mark.ts";
import { ownedByLiveProcess } from "./staging.ts";

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

/** Roots besides images: the layers containers stand on, the build cache's, and what live leases pin. */
function otherRoots(store: Store): Node[] {
  const containers = store.meta.containers
    .list()
    .flatMap((c) => c.chain.map((key): Node => ({ type: "layer", key })));
  return [...containers, ...buildCacheRoots(store), ...leasedResources(store)];
}

/** Marks from the database's roots (images, containers, build cache, live leases). Read them under the GC lock. */
export function reachable(store: Store): Set<string> {
  const images = new Map(store.meta.images.list().map((i) => [i.id as string, i]));
  const roots: Node[] = [
    ...[...images.keys()].map((key) => ({ type: "image" as const, key })),
    ...otherRoots(store),
  ];
  return mark(roots, (n) => {
    if (n.type !== "image") return [];
    const image = images.get(n.key);
    return image ? imageRefs(image) : [];
  });
}

/** Sweeps unreachable content. Waits for the exclusive lock unless `tryOnly`. */
export function sweep(store: Store, opts: { tryOnly?: boolean } = {}): Promise<SweepResult | undefined> {
  return withGcLock(store, () => sweepLocked(store), opts);
}

/** What a collection decided to delete: records are gone already, files still to remove. */
export interface Doomed {
  layers: LayerRecord[];
  blobs: Digest[];
}

/**
 * Layer directories removed at once: each removal is a string of file system
 * calls on the libuv pool, and one after another an `rmi` of 20 layers spent
 * most of its time waiting for them.
 */
const REMOVING = 8;

/** Removes the files of what `collect` doomed; the caller still holds the GC lock. */
export async function removeDoomed(store: Store, doomed: Doomed): Promise<SweepResult> {
  const result: SweepResult = { layers: [], blobs: [], reclaimed: 0 };
  // Every removal has ended before the lock is let go, even when one fails.
  await eachLimited(doomed.layers, REMOVING, (layer) => store.layers.remove(layer.chainId, layer.link));
  for (const layer of doomed.layers) {
    result.layers.push(layer.chainId);
    result.reclaimed += layer.size;
  }
  for (const digest of doomed.blobs) {
    store.content.delete(digest);
    result.blobs.push(digest);
  }
  return result;
}

async function sweepLocked(store: Store): Promise<SweepResult> {
  const { records, doomed } = store.meta.transaction(() => {
    const live = reachable(store);
    const records = new Map(store.meta.layers.list().map((l) => [l.chainId as string, l]));
    const layers = [...records.values()].filter((l) => !live.has(nodeId({ type: "layer", key: l.chainId })));
    for (const layer of layers) store.meta.layers.delete(layer.chainId);
    const blobs = store.content.list().filter((d) => !live.has(nodeId({ type: "blob", key: d })));
    return { records, doomed: { layers, blobs } };
  });
  const result = await removeDoomed(store, doomed);
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
  await clearStaging(store);
  return result;
}

/**
 * Which candidates something still holds: what images hold (imageRefs, as
 * mark() follows them), containers and live leases, asked only about the
 * candidates, so a store of 200 images answers in a single scan.
 */
function stillHeld(store: Store, candidates: { layers: Digest[]; blobs: Digest[] }): Set<string> {
  const wanted = new Set<string>([...candidates.layers, ...candidates.blobs]);
  const held = new Set<string>();
  const see = (key: string) => {
    if (wanted.has(key)) held.add(key);
  };
  for (const image of store.meta.images.list()) for (const n of imageRefs(image)) see(n.key);
  for (const root of otherRoots(store)) see(root.key);
  return held;
}

/**
 * Decides which of `candidates` (what one removal may have freed) nothing
 * holds any more and deletes their records: the same marking as the full
 * sweep, without listing every layer, link and blob on disk, so `rmi` costs
 * the same in a store of 4,000 layers as in one of 10. Call it inside the
 * transaction that removed what held them, under the GC lock; then
 * `removeDoomed`. Leftovers of crashes are the full sweep's business
 * (prune, `system check --repair`).
 */
export function collectCandidates(store: Store, candidates: { layers: Digest[]; blobs: Digest[] }): Doomed {
  const held = stillHeld(store, candidates);
  const layers = candidates.layers
    .filter((chainId) => !held.has(chainId))
    .flatMap((chainId) => store.meta.layers.get(chainId) ?? []);
  for (const layer of layers) store.meta.layers.delete(layer.chainId);
  return { layers, blobs: candidates.blobs.filter((d) => !held.has(d)) };
}

/**
 * Staging leftovers, partial blobs and layer lock files; under the exclusive
 * lock. Live processes' staged layers stay (a pull unpacks under a lease),
 * and so do the layer lock files while any lease lives (a pull holds one
 * while it fetches that layer: removing the file would let a second pull in).
 */
async function clearStaging(store: Store): Promise<void> {
  store.content.removePartial();
  for (const path of store.layers.listTmp()) {
    if (!ownedByLiveProcess(path)) await fsPromises.rm(path, { recursive: true, force: true });
  }
  leasedResources(store); // drops the leases whose owner died
  if (store.meta.leases.list().length === 0)
    await fsPromises.rm(store.layerLockDir, { recursive: true, force: true });
}

/**
 * Clears what interrupted commands left in tmp/ when no other command is
 * using the store; does nothing (and does not wait) otherwise.
 */
export async function clearStagingIfIdle(store: Store): Promise<boolean> {
  const done = await withGcLock(store, () => clearStaging(store).then(() => true), { tryOnly: true });
  return done ?? false;
}
