/** A multi-platform image: an OCI index over three tiny platform images. */
import type { Digest } from "../../src/digest/index.ts";
import { formatPlatform, type LayerCompression, MediaType, type Platform } from "../../src/oci/index.ts";
import type { Reference } from "../../src/reference/index.ts";
import type { RegistryClient } from "../../src/registry/index.ts";
import { FIXED_CREATED, type PushedImage, pushImage, toRef } from "./fixtures-image.ts";

export interface PushedPlatformImage extends PushedImage {
  platform: Platform;
  compression: LayerCompression;
}

export interface PushedIndex {
  indexDigest: Digest;
  index: Buffer;
  manifests: PushedPlatformImage[];
}

export const MULTI_PLATFORMS: Array<{ platform: Platform; compression: LayerCompression }> = [
  { platform: { os: "linux", architecture: "amd64" }, compression: "gzip" },
  { platform: { os: "linux", architecture: "arm64", variant: "v8" }, compression: "zstd" },
  { platform: { os: "linux", architecture: "arm", variant: "v7" }, compression: "none" },
];

/**
 * Pushes an OCI index under `ref` with linux/amd64 (gzip layer),
 * linux/arm64/v8 (zstd) and linux/arm/v7 (uncompressed), each image one tiny
 * layer holding /platform.txt. The platform manifests are pushed by digest.
 */
export async function pushMultiPlatform(
  client: RegistryClient,
  ref: Reference | string,
): Promise<PushedIndex> {
  const r = toRef(ref);
  const manifests: PushedPlatformImage[] = [];
  for (const { platform, compression } of MULTI_PLATFORMS) {
    const name = formatPlatform(platform);
    const pushed = await pushImage(client, r, {
      mediaTypes: "oci",
      byDigest: true,
      layers: [{ files: { "platform.txt": `${name}\n` }, compression }],
      config: {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { Cmd: ["/bin/cat", "/platform.txt"] },
      },
      history: [{ created: FIXED_CREATED, created_by: `COPY platform.txt / # ${name}` }],
    });
    manifests.push({ ...pushed, platform, compression });
  }
  const indexDoc = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: manifests.map((m) => ({
      mediaType: m.manifestMediaType,
      digest: m.manifestDigest,
      size: m.manifest.length,
      platform: m.platform,
    })),
  };
  const index = Buffer.from(JSON.stringify(indexDoc));
  const indexDigest = await client.pushManifest(r, index, MediaType.OciIndex);
  return { indexDigest, index, manifests };
}
