/**
 * What a build pins with its lease (gc/lease.ts): its base images and the
 * layers of every step it ran or found in the cache. The build holds no GC
 * lock while its steps run, so an rmi of its base, an `image prune` or a
 * `builder prune` meanwhile goes ahead, and spares what is pinned here until
 * the build ends. Each pin is checked in the transaction that makes it:
 * either the pin comes first, or the check sees the removal.
 */
import type { Digest } from "../digest/index.ts";
import { imageResources, type Lease } from "../gc/index.ts";
import type { ImageRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

/** Pins image `id`'s config, manifest and layers; undefined when it is no longer stored. */
export function pinImage(store: Store, lease: Lease, id: Digest): ImageRecord | undefined {
  return store.meta.transaction(() => {
    const image = store.meta.images.get(id);
    if (image) lease.pin(imageResources(image));
    return image;
  });
}

/** Pins a chain of layers; false (nothing pinned) when one of them is no longer stored. */
export function pinLayers(store: Store, lease: Lease, chain: readonly Digest[]): boolean {
  return store.meta.transaction(() => {
    if (!chain.every((c) => store.meta.layers.get(c))) return false;
    lease.pin(chain.map((key) => ({ type: "layer" as const, key })));
    return true;
  });
}
