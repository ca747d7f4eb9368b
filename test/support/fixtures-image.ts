/**
 * Building and pushing one test image: layers tarred by GNU tar with fixed
 * names, times and owners and compressed with `gzip -n` / `zstd`, so the
 * same content gives the same digests on every run; pushed with strata's own
 * RegistryClient.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Digest, sha256Digest } from "../../src/digest/index.ts";
import {
  type HistoryEntry,
  hostPlatform,
  type ImageConfig,
  type LayerCompression,
  layerMediaType,
  MediaType,
} from "../../src/oci/index.ts";
import { nameOnly, parseReference, type Reference, withDigest } from "../../src/reference/index.ts";
import type { RegistryClient } from "../../src/registry/index.ts";

export interface LayerSpec {
  /** A directory to tar (its contents become the layer's root). */
  dir?: string;
  /** Files to put in a fresh directory and tar: path → content. */
  files?: Record<string, string | Buffer>;
  /** A ready uncompressed tar. */
  tar?: Buffer;
  compression?: LayerCompression;
}

export interface PushImageOptions {
  layers: LayerSpec[];
  /** Merged over the defaults (host platform, fixed `created`, the diff IDs of `layers`). */
  config?: Partial<ImageConfig>;
  mediaTypes?: "docker" | "oci";
  history?: HistoryEntry[];
  /** Push under the manifest's digest instead of the reference's tag. */
  byDigest?: boolean;
}

export interface PushedImage {
  manifestDigest: Digest;
  manifestMediaType: string;
  manifest: Buffer;
  configDigest: Digest;
  config: Buffer;
  /** Compressed blob digests and sizes, bottom layer first. */
  layerDigests: Digest[];
  layerSizes: number[];
  /** Uncompressed tar digests (the config's rootfs.diff_ids). */
  diffIds: Digest[];
}

const BIG = 512 << 20;
export const FIXED_CREATED = "2026-11-22T10:19:08.913238265Z";

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), prefix));
}

/** A deterministic tar of `dir`'s contents: sorted names, mtime 0, owner root, no `./` prefix. */
export function tarDirectory(dir: string): Buffer {
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return Buffer.alloc(1024); // an empty archive: two zero blocks
  return execFileSync(
    "tar",
    [
      "-C",
      dir,
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--format=gnu",
      "-cf",
      "-",
      ...entries,
    ],
    { maxBuffer: BIG },
  );
}

export function compress(tar: Buffer, compression: LayerCompression): Buffer {
  if (compression === "none") return tar;
  if (compression === "gzip") return execFileSync("gzip", ["-n", "-c"], { input: tar, maxBuffer: BIG });
  return execFileSync("zstd", ["-q", "-c"], { input: tar, maxBuffer: BIG });
}

/** Writes `files` under `dir` (parents created, 0755 dirs, 0644 files). */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path.replace(/^\/+/, ""));
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, content);
    chmodSync(full, 0o644);
  }
}

function layerTar(spec: LayerSpec): Buffer {
  if (spec.tar) return spec.tar;
  if (spec.dir) return tarDirectory(spec.dir);
  const dir = scratchDir("strata-layer-");
  try {
    writeTree(dir, spec.files ?? {});
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function toRef(ref: Reference | string): Reference {
  return typeof ref === "string" ? parseReference(ref) : ref;
}

/** Builds an image from `opts.layers`, pushes its blobs and manifest, and says what it pushed. */
export async function pushImage(
  client: RegistryClient,
  ref: Reference | string,
  opts: PushImageOptions,
): Promise<PushedImage> {
  const r = toRef(ref);
  const format = opts.mediaTypes ?? "docker";
  const layers = opts.layers.map((spec) => {
    const tar = layerTar(spec);
    const compression = spec.compression ?? "gzip";
    const blob = compress(tar, compression);
    return {
      diffId: sha256Digest(tar),
      blob,
      digest: sha256Digest(blob),
      mediaType: layerMediaType(format, compression),
    };
  });
  const diffIds = layers.map((l) => l.diffId);
  const host = hostPlatform();
  const { rootfs: _ignored, ...extra } = opts.config ?? {};
  const configDoc = {
    architecture: host.architecture,
    ...(host.variant ? { variant: host.variant } : {}),
    os: host.os,
    created: FIXED_CREATED,
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
    ...extra,
    rootfs: { type: "layers", diff_ids: diffIds },
    history:
      opts.history ??
      extra.history ??
      layers.map((_, i) => ({ created: FIXED_CREATED, created_by: `strata fixture layer ${i + 1}` })),
  };
  const config = Buffer.from(JSON.stringify(configDoc));
  const configDigest = sha256Digest(config);
  const configMediaType = format === "docker" ? MediaType.DockerConfig : MediaType.OciConfig;

  await client.pushBlob(r, configDigest, config, config.length);
  for (const l of layers) await client.pushBlob(r, l.digest, l.blob, l.blob.length);

  const manifestMediaType = format === "docker" ? MediaType.DockerManifest : MediaType.OciManifest;
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: configMediaType, size: config.length, digest: configDigest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.blob.length, digest: l.digest })),
  };
  // distribution marshals schema2 manifests with three-space indentation.
  const manifest = Buffer.from(
    format === "docker" ? JSON.stringify(manifestDoc, null, 3) : JSON.stringify(manifestDoc),
  );
  const manifestDigest = sha256Digest(manifest);
  await client.pushManifest(
    opts.byDigest ? withDigest(nameOnly(r), manifestDigest) : r,
    manifest,
    manifestMediaType,
  );
  return {
    manifestDigest,
    manifestMediaType,
    manifest,
    configDigest,
    config,
    layerDigests: layers.map((l) => l.digest),
    layerSizes: layers.map((l) => l.blob.length),
    diffIds,
  };
}
