export { FileLock, withLock } from "./lock.ts";
export type { ImageRecord, LayerRecord, RefRecord } from "./records.ts";
export { MetadataStore } from "./store.ts";
