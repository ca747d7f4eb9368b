/**
 * When removing a container frees layers: a container keeps its image's
 * layers alive, so its removal leaves garbage only when its image is gone
 * already (`rmi -f` of an image a stopped container used). Otherwise the
 * sweep is skipped; it never waits for a busy store.
 */
import type { Digest } from "../digest/index.ts";
import { sweep } from "../gc/index.ts";
import type { Store } from "../store/index.ts";

export async function sweepAfterRemoval(store: Store, imageId: Digest): Promise<void> {
  if (store.meta.images.get(imageId)) return;
  await sweep(store, { tryOnly: true });
}
