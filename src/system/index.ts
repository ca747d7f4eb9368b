export type { CheckReport } from "./check.ts";
export {
  type ContainerUsageSource,
  type DiskUsage,
  diskUsage,
  reclaimableImages,
} from "./df.ts";
export { SystemService } from "./service.ts";
export type { ImageTree, TreeContainer, TreeImage, TreeLayer } from "./tree.ts";
