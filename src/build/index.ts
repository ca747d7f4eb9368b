/**
 * Building images from a Dockerfile (BuildKit's Dockerfile frontend, in
 * strata's store): parser → instructions → stages → steps, with a
 * content-addressed cache. The only module imported from outside src/build.
 */
import type { ImageService } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import { Builder, type BuildOptions, type BuildResult } from "./builder.ts";

export type { BuildOptions, BuildResult } from "./builder.ts";
export type { BuildCacheUsage, PruneCacheResult } from "./cache.ts";
export { buildCacheUsage, pruneBuildCache } from "./cache.ts";
export type { BuildEvent, BuildListener } from "./progress.ts";

export async function buildImage(
  store: Store,
  images: ImageService,
  opts: BuildOptions,
): Promise<BuildResult> {
  return new Builder(store, images, opts).build();
}
