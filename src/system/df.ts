/**
 * `system df`: where the bytes are, from sizes stored at unpack time (no disk
 * walk). Image totals count each shared layer once.
 */
import type { BuildCacheUsage } from "../build/cache.ts";
import type { ContainerSummary } from "../container/index.ts";
import type { ImageService, ImageSummary } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import type { VolumeUsage } from "../volume/index.ts";

export interface DiskUsage {
  images: ImageSummary[];
  /** Σ size of every layer at least one image uses, each counted once. */
  layersSize: number;
  /** Every container, with its writable layer's size. */
  containers: ContainerSummary[];
  /** Every volume: how many containers mount it and its bytes, walked now. */
  volumes: VolumeUsage[];
  /** The build cache's records and the bytes of the layers they added. */
  buildCache: BuildCacheUsage;
}

/** Provides the containers section once the container service exists. */
export type ContainerUsageSource = () => Promise<ContainerSummary[]>;

/** Provides the volumes section. */
export type VolumeUsageSource = () => VolumeUsage[];

export async function diskUsage(
  store: Store,
  images: ImageService,
  containers: ContainerUsageSource,
  volumes: VolumeUsageSource = () => [],
): Promise<DiskUsage> {
  // Containers first: settling ended runs may remove --rm containers.
  const containerList = await containers();
  const records = store.meta.images.list();
  const sizes = store.meta.layers.sizes();
  const list = images.list({ sharedSize: true, containers: true, records, sizes });
  const used = new Set<string>();
  for (const image of records) for (const c of image.chain) used.add(c);
  let layersSize = 0;
  for (const [chainId, size] of sizes) if (used.has(chainId)) layersSize += size;
  const { buildCacheUsage } = await import("../build/cache.ts");
  return {
    images: list,
    layersSize,
    containers: containerList,
    volumes: volumes(),
    buildCache: buildCacheUsage(store),
  };
}

/**
 * Image RECLAIMABLE as Docker ≤ 28 computes it (the reference outputs' 20.10
 * daemon): the layers' total minus the unique bytes of images in use.
 */
export function reclaimableImages(usage: DiskUsage): number {
  const inUse = usage.images
    .filter((i) => i.containers > 0 && i.sharedSize >= 0)
    .reduce((sum, i) => sum + i.size - i.sharedSize, 0);
  return Math.max(0, usage.layersSize - inUse);
}
