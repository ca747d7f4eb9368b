/**
 * The containers' side of the image service's ImageUsers role: which
 * containers use an image, and how many per image. The engine hands this to
 * the image service.
 */
import type { Digest } from "../digest/index.ts";
import { byteOrder } from "../format/order.ts";
import type { ImageUser, ImageUsers } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import { isActive } from "./list.ts";

export class ContainerImageUsers implements ImageUsers {
  constructor(private readonly store: Store) {}

  usersOf(imageId: Digest): ImageUser[] {
    return this.store.meta.containers
      .ofImage(imageId)
      .sort((a, b) => byteOrder(b.createdAt, a.createdAt))
      .map((c) => ({ id: c.id, running: isActive(c) }));
  }

  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.store.meta.containers.list()) out.set(c.imageId, (out.get(c.imageId) ?? 0) + 1);
    return out;
  }
}
