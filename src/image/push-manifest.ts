/**
 * The manifest a push PUTs: the image's own bytes when every blob it names
 * is what the destination got (the digest stays the same); otherwise a new
 * Docker schema2 manifest, as `docker push` writes it (Go's MarshalIndent
 * with three spaces), or an OCI one when the image's layers are OCI.
 */
import { MediaType } from "../oci/media-types.ts";
import type { PushedBlob } from "./push-layer.ts";

export interface ManifestToPush {
  bytes: Buffer;
  mediaType: string;
}

const DOCKER_OF_OCI: Record<string, string> = {
  [MediaType.OciLayerGzip]: MediaType.DockerLayerGzip,
  [MediaType.OciLayer]: MediaType.DockerLayer,
  [MediaType.OciLayerZstd]: MediaType.DockerLayerZstd,
};
const OCI_OF_DOCKER: Record<string, string> = Object.fromEntries(
  Object.entries(DOCKER_OF_OCI).map(([oci, docker]) => [docker, oci]),
);

export function isOciMediaType(mediaType: string | null | undefined): boolean {
  return mediaType?.startsWith("application/vnd.oci.") ?? false;
}

/** A layer's media type in the manifest's family (the same compression either way). */
function layerType(oci: boolean, mediaType: string): string {
  return (oci ? OCI_OF_DOCKER[mediaType] : DOCKER_OF_OCI[mediaType]) ?? mediaType;
}

export function buildManifest(
  oci: boolean,
  config: { digest: string; size: number },
  layers: PushedBlob[],
): ManifestToPush {
  const doc = oci
    ? {
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({
          mediaType: layerType(true, l.mediaType),
          digest: l.digest,
          size: l.size,
        })),
      }
    : {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { mediaType: MediaType.DockerConfig, size: config.size, digest: config.digest },
        layers: layers.map((l) => ({
          mediaType: layerType(false, l.mediaType),
          size: l.size,
          digest: l.digest,
        })),
      };
  return {
    bytes: Buffer.from(JSON.stringify(doc, null, 3)),
    mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
  };
}
