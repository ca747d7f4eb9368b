export {
  CONFIG_MEDIA_TYPES,
  DEFAULT_MANIFEST_ACCEPT,
  INDEX_MEDIA_TYPES,
  type LayerCompression,
  layerCompression,
  layerMediaType,
  MANIFEST_MEDIA_TYPES,
  type ManifestKind,
  MediaType,
  manifestKind,
} from "./media-types.ts";
export {
  type ParseContext,
  type ParsedManifest,
  parseImageConfig,
  parseImageIndex,
  parseImageManifest,
  parseManifest,
} from "./parse.ts";
export {
  formatPlatform,
  hostPlatform,
  normalizeArch,
  normalizeOS,
  normalizePlatform,
  type Platform,
  parsePlatform,
} from "./platform.ts";
export type {
  ContainerConfig,
  Descriptor,
  HistoryEntry,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  PlatformSpec,
} from "./schemas.ts";
export { descriptorSchema, imageConfigSchema, imageIndexSchema, imageManifestSchema } from "./schemas.ts";
export { matchManifests, noMatchingManifest, platformVector, selectManifest } from "./select.ts";
