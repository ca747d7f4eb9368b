/** A one-layer OCI image as a registry double serves it: the gzipped layer, the config, the manifest. */
import { gzipSync } from "node:zlib";
import { sha256Digest } from "../../src/digest/index.ts";
import { MediaType } from "../../src/oci/index.ts";
import { buildTar } from "../archive/tar-builder.ts";

export interface OneLayerImage {
  blob: Buffer;
  config: Buffer;
  manifest: Buffer;
}

/** The layer holds one file, `name`, with `body`. */
export function oneLayerImage(name: string, body: Buffer): OneLayerImage {
  const tar = buildTar([{ name, body }]);
  const blob = gzipSync(tar, { level: 1 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha256Digest(config), size: config.length },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: sha256Digest(blob),
          size: blob.length,
        },
      ],
    }),
  );
  return { blob, config, manifest };
}
