/**
 * `system check`: proves the store is what its records say. Every blob is
 * re-hashed, every layer is re-emitted from disk and its diff ID recomputed,
 * every name must lead to an image whose layers are all present, and every
 * container's layers must be there. With
 * `repair`, garbage collection clears leftovers of crashed commands first.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { emitLayer } from "../archive/index.ts";
import type { Digest } from "../digest/index.ts";
import { sweep } from "../gc/index.ts";
import type { LayerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export interface CheckReport {
  blobs: number;
  layers: number;
  images: number;
  refs: number;
  /** One line per inconsistency; empty when the store is sound. */
  problems: string[];
}

async function diffIdOnDisk(store: Store, layer: LayerRecord): Promise<Digest> {
  const hash = createHash("sha256");
  for await (const chunk of emitLayer(
    store.layers.diffDir(layer.chainId),
    store.layers.tarSplitPath(layer.chainId),
  )) {
    hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest("hex")}` as Digest;
}

export async function checkStore(store: Store, opts: { repair?: boolean }): Promise<CheckReport> {
  if (opts.repair) await sweep(store);
  const problems: string[] = [];
  // Networking leftovers first: with `repair`, they are undone before anything else is judged.
  problems.push(...(await (await import("../network/index.ts")).checkNetworking(store, opts)));
  const blobs = store.content.list();
  for (const digest of blobs)
    if (!store.content.verify(digest)) problems.push(`blob ${digest}: content does not match its digest`);

  const layers = store.meta.layers.list();
  for (const layer of layers) {
    if (!existsSync(store.layers.diffDir(layer.chainId))) {
      problems.push(`layer ${layer.chainId}: directory is missing`);
      continue;
    }
    try {
      const actual = await diffIdOnDisk(store, layer);
      if (actual !== layer.diffId)
        problems.push(`layer ${layer.chainId}: content re-emits as ${actual}, expected ${layer.diffId}`);
    } catch (err) {
      problems.push(`layer ${layer.chainId}: ${(err as Error).message}`);
    }
  }

  const known = new Set(layers.map((l) => l.chainId as string));
  const images = store.meta.images.list();
  for (const image of images) {
    if (!store.content.has(image.id)) problems.push(`image ${image.id}: config blob is missing`);
    if (image.manifestDigest && !store.content.has(image.manifestDigest)) {
      problems.push(`image ${image.id}: manifest ${image.manifestDigest} is missing`);
    }
    for (const c of image.chain) if (!known.has(c)) problems.push(`image ${image.id}: layer ${c} is missing`);
  }
  for (const c of store.meta.containers.list()) {
    for (const l of c.chain) if (!known.has(l)) problems.push(`container ${c.id}: layer ${l} is missing`);
  }
  const ids = new Set(images.map((i) => i.id as string));
  const refs = store.meta.images.listRefs();
  for (const ref of refs)
    if (!ids.has(ref.imageId)) problems.push(`reference ${ref.name}: image ${ref.imageId} is missing`);
  return { blobs: blobs.length, layers: layers.length, images: images.length, refs: refs.length, problems };
}
