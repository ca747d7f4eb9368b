/**
 * The manifests a push writes: Docker's schema2 exactly as `docker push`
 * marshals it (Go's MarshalIndent with three spaces, descriptor fields in
 * mediaType, size, digest order), and OCI's when the layers are OCI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Digest } from "../../src/digest/index.ts";
import { buildManifest } from "../../src/image/push-manifest.ts";
import { MediaType } from "../../src/oci/index.ts";

const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;

test("schema2 as Docker writes it; OCI layer types become Docker's", () => {
  const m = buildManifest(false, { digest: d("c"), size: 1469 }, [
    { digest: d("a"), size: 32, mediaType: MediaType.DockerLayerGzip, how: "compressed" },
    { digest: d("b"), size: 2811478, mediaType: MediaType.OciLayerGzip, how: "copied" },
  ]);
  assert.equal(m.mediaType, MediaType.DockerManifest);
  assert.equal(
    m.bytes.toString(),
    `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1469,
      "digest": "${d("c")}"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 32,
         "digest": "${d("a")}"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2811478,
         "digest": "${d("b")}"
      }
   ]
}`,
  );
});

test("OCI when the layers are OCI: OCI config and layer types", () => {
  const m = buildManifest(true, { digest: d("c"), size: 10 }, [
    { digest: d("a"), size: 5, mediaType: MediaType.DockerLayerGzip, how: "exists" },
  ]);
  const doc = JSON.parse(m.bytes.toString());
  assert.equal(m.mediaType, MediaType.OciManifest);
  assert.equal(doc.mediaType, MediaType.OciManifest);
  assert.equal(doc.config.mediaType, MediaType.OciConfig);
  assert.equal(doc.layers[0].mediaType, MediaType.OciLayerGzip);
});
