import assert from "node:assert/strict";
import { test } from "node:test";
import { isStrataError } from "../../src/errors.ts";
import {
  layerCompression,
  MediaType,
  parseImageConfig,
  parseImageIndex,
  parseImageManifest,
  parseManifest,
} from "../../src/oci/index.ts";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const manifest = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, digest: D("a"), size: 10 },
  layers: [{ mediaType: MediaType.DockerLayerGzip, digest: D("b"), size: 20 }],
  "x-vendor": { kept: true },
};

test("manifests parse with their unknown fields kept", () => {
  const parsed = parseManifest(json(manifest));
  assert.equal(parsed.kind, "manifest");
  assert.equal(parsed.mediaType, MediaType.DockerManifest);
  const m = parseImageManifest(json(manifest));
  assert.equal(m.layers[0].digest, D("b"));
  assert.deepEqual(m["x-vendor"], { kept: true });
});

test("the media type comes from the document, else Content-Type, else the fields", () => {
  const { mediaType: _, ...bare } = manifest;
  assert.equal(
    parseManifest(json(bare), `${MediaType.DockerManifest}; charset=utf-8`).mediaType,
    MediaType.DockerManifest,
  );
  assert.equal(parseManifest(json(bare), "application/json").mediaType, MediaType.OciManifest);
  assert.equal(parseManifest(json({ schemaVersion: 2, manifests: [] })).kind, "index");
  assert.equal(
    parseManifest(json(manifest), MediaType.OciIndex).kind,
    "manifest",
    "the document's own field wins",
  );
});

test("indexes parse; an index is not a manifest", () => {
  const idx = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.OciManifest,
        digest: D("c"),
        size: 5,
        platform: { os: "linux", architecture: "amd64" },
      },
    ],
  };
  assert.equal(parseImageIndex(json(idx)).manifests[0].platform?.architecture, "amd64");
  assert.throws(
    () => parseImageManifest(json(idx)),
    (e) => isStrataError(e, "INVALID_MANIFEST"),
  );
});

test("broken documents: INVALID_MANIFEST with the path to the problem", () => {
  const bad = {
    ...manifest,
    layers: [{ mediaType: MediaType.DockerLayerGzip, digest: "sha256:abc", size: 1 }],
  };
  assert.throws(
    () => parseManifest(json(bad), undefined, { reference: "x:1" }),
    (e) =>
      isStrataError(e, "INVALID_MANIFEST") &&
      e.message === "invalid manifest x:1: layers.0.digest: invalid checksum digest length",
  );
  assert.throws(
    () => parseManifest(Buffer.from("{")),
    (e) => isStrataError(e, "INVALID_MANIFEST") && /not valid JSON/.test(e.message),
  );
  assert.throws(
    () => parseManifest(json({ ...manifest, size: 1, layers: [{ ...manifest.layers[0], size: -1 }] })),
    /layers\.0\.size/,
  );
  assert.throws(() => parseManifest(json({ ...manifest, manifests: [] })), /has a manifests field/);
  assert.throws(
    () => parseManifest(json({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [], layers: [] })),
    /has config or layers/,
  );
});

test("schema 1 and unknown types are UNSUPPORTED_MEDIA_TYPE", () => {
  assert.throws(
    () => parseManifest(json({ schemaVersion: 1, name: "x", tag: "y" }), undefined, { reference: "x:y" }),
    (e) =>
      isStrataError(e, "UNSUPPORTED_MEDIA_TYPE") &&
      e.message.includes("Suggest the author of x:y to upgrade"),
  );
  assert.throws(
    () => parseManifest(json({ schemaVersion: 2, mediaType: "application/vnd.example+json" })),
    (e) => isStrataError(e, "UNSUPPORTED_MEDIA_TYPE"),
  );
});

test("configs: Docker's nulls accepted, diff IDs checked, unknown fields kept", () => {
  const cfg = {
    architecture: "amd64",
    os: "linux",
    config: { Env: ["PATH=/bin"], Entrypoint: null, Cmd: ["sh"], Labels: null, Volumes: null },
    rootfs: { type: "layers", diff_ids: [D("d")] },
    history: [{ created_by: "x", empty_layer: true }],
    container_config: { Hostname: "abc" },
  };
  const c = parseImageConfig(json(cfg));
  assert.equal(c.rootfs.diff_ids[0], D("d"));
  assert.equal(c.config?.Entrypoint, null);
  assert.deepEqual(c.container_config, { Hostname: "abc" });
  assert.throws(
    () =>
      parseImageConfig(json({ ...cfg, rootfs: { type: "layers", diff_ids: ["nope"] } }), { digest: D("e") }),
    (e) =>
      isStrataError(e, "INVALID_CONFIG") &&
      e.message.startsWith(`invalid image config ${D("e")}: rootfs.diff_ids.0:`),
  );
  assert.throws(
    () => parseImageConfig(json({ os: "linux", rootfs: { type: "layers", diff_ids: [] } })),
    /architecture/,
  );
});

test("layer media types map to their compression", () => {
  assert.equal(layerCompression(MediaType.DockerLayerGzip), "gzip");
  assert.equal(layerCompression(MediaType.OciLayerZstd), "zstd");
  assert.equal(layerCompression(MediaType.OciLayer), "none");
  assert.equal(layerCompression(MediaType.OciConfig), undefined);
});
