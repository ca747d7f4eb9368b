/**
 * Media types of the Docker schema2 and OCI image formats, and how they are
 * grouped: which name a manifest, which an index, which a layer and its
 * compression. Registries send these in Content-Type and descriptors.
 */

export const MediaType = {
  DockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  /** Schema 1 (signed and unsigned): refused, as Docker ≥ 28 does. */
  DockerManifestV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  DockerManifestV1: "application/vnd.docker.distribution.manifest.v1+json",
  DockerConfig: "application/vnd.docker.container.image.v1+json",
  DockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  DockerForeignLayerGzip: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  /** Not in the schema2 spec but produced by some tools; containerd knows them. */
  DockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
  DockerLayerZstd: "application/vnd.docker.image.rootfs.diff.tar.zstd",
  OciManifest: "application/vnd.oci.image.manifest.v1+json",
  OciIndex: "application/vnd.oci.image.index.v1+json",
  OciConfig: "application/vnd.oci.image.config.v1+json",
  OciLayer: "application/vnd.oci.image.layer.v1.tar",
  OciLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  OciLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  OciLayerNondistributable: "application/vnd.oci.image.layer.nondistributable.v1.tar",
  OciLayerNondistributableGzip: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  OciLayerNondistributableZstd: "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  OciEmpty: "application/vnd.oci.empty.v1+json",
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.DockerManifest, MediaType.OciManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.DockerManifestList, MediaType.OciIndex];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MediaType.DockerConfig, MediaType.OciConfig];

/** What a registry is asked for by default: every manifest and index type strata can read. */
export const DEFAULT_MANIFEST_ACCEPT: readonly string[] = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
];

export type ManifestKind = "manifest" | "index" | "schema1" | "unknown";

export function manifestKind(mediaType: string | undefined): ManifestKind {
  if (mediaType === undefined) return "unknown";
  if (MANIFEST_MEDIA_TYPES.includes(mediaType)) return "manifest";
  if (INDEX_MEDIA_TYPES.includes(mediaType)) return "index";
  if (mediaType === MediaType.DockerManifestV1 || mediaType === MediaType.DockerManifestV1Signed)
    return "schema1";
  return "unknown";
}

export type LayerCompression = "gzip" | "zstd" | "none";

const LAYERS: Record<string, LayerCompression> = {
  [MediaType.DockerLayerGzip]: "gzip",
  [MediaType.DockerForeignLayerGzip]: "gzip",
  [MediaType.DockerLayer]: "none",
  [MediaType.DockerLayerZstd]: "zstd",
  [MediaType.OciLayer]: "none",
  [MediaType.OciLayerGzip]: "gzip",
  [MediaType.OciLayerZstd]: "zstd",
  [MediaType.OciLayerNondistributable]: "none",
  [MediaType.OciLayerNondistributableGzip]: "gzip",
  [MediaType.OciLayerNondistributableZstd]: "zstd",
};

/** The compression of a layer media type, or undefined when it is not a layer type strata knows. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return LAYERS[mediaType];
}

/** The layer media type for a compression in either format. */
export function layerMediaType(format: "docker" | "oci", compression: LayerCompression): string {
  if (format === "oci") {
    return { gzip: MediaType.OciLayerGzip, zstd: MediaType.OciLayerZstd, none: MediaType.OciLayer }[
      compression
    ];
  }
  return { gzip: MediaType.DockerLayerGzip, zstd: MediaType.DockerLayerZstd, none: MediaType.DockerLayer }[
    compression
  ];
}
