export type { BlobSource, BlobSources } from "./blob-sources.ts";
export { type ContainerConfig, containerConfigSchema } from "./container-config.ts";
export type { ContainerPatch, ContainerRecords } from "./containers.ts";
export type { ImageRecords } from "./images.ts";
export type { LayerRecords } from "./layers.ts";
export { FileLock, withLock } from "./lock.ts";
export type { ContainerRecord, ContainerState, ImageRecord, LayerRecord, RefRecord } from "./records.ts";
export { MetadataStore } from "./store.ts";
export type { VolumeRecord, VolumeRecords } from "./volumes.ts";
