export { FileLock, withLock } from "./lock.ts";
export type { ContainerRecord, ContainerState, ImageRecord, LayerRecord, RefRecord } from "./records.ts";
export { MetadataStore } from "./store.ts";
