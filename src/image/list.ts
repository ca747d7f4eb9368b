/**
 * Image summaries with Docker's size rules: an image's size is the sum of its
 * layers' sizes (stored at unpack time, no disk walk); its shared size is the
 * part in layers that another image also uses.
 */
import type { Digest } from "../digest/index.ts";
import { byteOrder } from "../format/order.ts";
import type { ImageRecord, RefRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { familiarRef } from "./lookup.ts";

export interface ImageSummary {
  id: Digest;
  /** Familiar names: `ubuntu:latest`, `127.0.0.1:5000/servidorweb:v1`. */
  repoTags: string[];
  repoDigests: string[];
  /** RFC 3339 creation time from the config, when it has one. */
  created: string | null;
  size: number;
  /** Bytes in layers another image also uses; -1 when not computed. */
  sharedSize: number;
  /** Containers using the image; -1 when not computed. */
  containers: number;
}

export interface ListOptions {
  /** Compute shared sizes (as `system df` does). */
  sharedSize?: boolean;
  /** Count containers per image. */
  containerCounts?: Map<string, number>;
  /** Records already read by the caller (`system df` reads them once for both of its tables). */
  records?: ImageRecord[];
  sizes?: Map<string, number>;
}

/** How many images use each chain ID; an image's chain lists every prefix. */
export function layerUseCounts(images: ImageRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const image of images) for (const c of new Set(image.chain)) counts.set(c, (counts.get(c) ?? 0) + 1);
  return counts;
}

export function summarize(
  image: ImageRecord,
  refs: RefRecord[],
  extra: { sharedSize: number; containers: number },
): ImageSummary {
  return {
    id: image.id,
    repoTags: refs.filter((r) => r.kind === "tag").map((r) => familiarRef(r.name)),
    repoDigests: refs.filter((r) => r.kind === "digest").map((r) => familiarRef(r.name)),
    created: image.created,
    size: image.size,
    ...extra,
  };
}

export function listImages(store: Store, opts: ListOptions = {}): ImageSummary[] {
  const images = opts.records ?? store.meta.images.list();
  const refsByImage = new Map<string, RefRecord[]>();
  for (const ref of store.meta.images.listRefs()) {
    const list = refsByImage.get(ref.imageId) ?? [];
    list.push(ref);
    refsByImage.set(ref.imageId, list);
  }
  let sizes: Map<string, number> | undefined;
  let uses: Map<string, number> | undefined;
  if (opts.sharedSize) {
    uses = layerUseCounts(images);
    sizes = opts.sizes ?? store.meta.layers.sizes();
  }
  const shared = (image: ImageRecord) =>
    uses && sizes
      ? image.chain.reduce((s, c) => s + ((uses.get(c) ?? 0) > 1 ? (sizes.get(c) ?? 0) : 0), 0)
      : -1;
  const out = images.map((image) =>
    summarize(image, refsByImage.get(image.id) ?? [], {
      sharedSize: shared(image),
      containers: opts.containerCounts ? (opts.containerCounts.get(image.id) ?? 0) : -1,
    }),
  );
  // Newest first, as the daemon sorts; ties by ID for a stable order.
  return out.sort((a, b) => byteOrder(b.created ?? "", a.created ?? "") || byteOrder(a.id, b.id));
}
