export type { BlobSource, BlobSources } from "./blob-sources.ts";
export type { BuildCacheRecord, BuildCacheRecords, FileHash, FileHashRecords } from "./build-cache.ts";
export {
  type ContainerConfig,
  containerConfigSchema,
  loadContainerConfigSchema,
} from "./container-config.ts";
export type { ContainerPatch, ContainerRecords } from "./containers.ts";
export type { EventRecord, EventRecords } from "./events.ts";
export type { ImageRecords } from "./images.ts";
export type { LayerRecords } from "./layers.ts";
export type { LeasedResource, LeaseRecord, LeaseRecords } from "./leases.ts";
export { FileLock, withLock } from "./lock.ts";
export type { ContainerNetworkingRecord, EndpointRecord, NetworkRecord, NetworkRecords } from "./networks.ts";
export type { ContainerRecord, ContainerState, ImageRecord, LayerRecord, RefRecord } from "./records.ts";
export type { RestartRecord, RestartRecords } from "./restarts.ts";
export { MetadataStore } from "./store.ts";
export type { VolumeRecord, VolumeRecords } from "./volumes.ts";
