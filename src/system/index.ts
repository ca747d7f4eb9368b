export type { CheckReport } from "./check.ts";
export {
  type ContainerUsageSource,
  type DiskUsage,
  diskUsage,
  reclaimableImages,
} from "./df.ts";
export type { EngineEvent, EventsOptions } from "./events.ts";
export type { EngineInfo } from "./info.ts";
export type { PruneSources, SystemPruneOptions, SystemPruneResult } from "./prune.ts";
export { SystemService } from "./service.ts";
export type { ImageTree, TreeContainer, TreeImage, TreeLayer } from "./tree.ts";
export { API_VERSION, type EngineVersion, MIN_API_VERSION, STRATA_VERSION } from "./version.ts";
