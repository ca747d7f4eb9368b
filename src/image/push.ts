/**
 * Publishing images (Docker's `push`): every tag asked for, each as its
 * layers' blobs (sent only when the repository lacks them: see
 * push-layer.ts), its config, and last its manifest, so a push killed at
 * any moment leaves nothing a puller could half-see. What each layer was
 * pushed as is recorded, so the next push of it sends nothing.
 */
import { type Digest, shortHex } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { FileLock, type RefRecord } from "../metadata/index.ts";
import { MediaType } from "../oci/media-types.ts";
import {
  familiarName,
  familiarString,
  fullName,
  makeReference,
  parseNormalizedNamed,
  type Reference,
  referenceString,
  tagNameOnly,
  withDigest,
} from "../reference/index.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { Store } from "../store/index.ts";
import { eachLimited } from "../sys/each-limited.ts";
import type { PushListener, PushPhase } from "./events.ts";
import { type LayerContext, type PushedBlob, type PushLayer, pushLayer } from "./push-layer.ts";
import { buildManifest, isOciMediaType, type ManifestToPush } from "./push-manifest.ts";

export interface PushOptions {
  onProgress?: PushListener;
  signal?: AbortSignal;
  /** Push every tag of the repository (`--all-tags`); the reference must then have no tag. */
  allTags?: boolean;
  /** Layers pushed at once (Docker's max-concurrent-uploads: 5). */
  concurrency?: number;
}

export interface PushedTag {
  tag: string;
  /** The manifest's digest and byte length. */
  digest: Digest;
  size: number;
  /** How each layer got there, bottom first. */
  layers: PushedBlob["how"][];
}

export interface PushResult {
  /** The repository, fully qualified (`127.0.0.1:5000/web`). */
  repository: string;
  tags: PushedTag[];
}

function tagsToPush(store: Store, named: Reference, allTags: boolean): RefRecord[] {
  const repo = fullName(named);
  const tags = store.meta.images
    .listRefs()
    .filter((r) => r.kind === "tag" && r.repo === repo)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (tags.length === 0) {
    throw new StrataError(
      "NOT_FOUND",
      `An image does not exist locally with the tag: ${familiarName(named)}`,
      {
        details: { reference: repo },
      },
    );
  }
  if (allTags) return tags;
  const wanted = tags.find((t) => t.name === referenceString(named));
  if (!wanted) {
    throw new StrataError("NOT_FOUND", `tag does not exist: ${familiarString(named)}`, {
      details: { reference: referenceString(named) },
    });
  }
  return [wanted];
}

/** The reference as Docker's push takes it: a name and a tag (`latest` by default), never a digest. */
export function pushReference(name: string, allTags = false): Reference {
  const named = parseNormalizedNamed(name);
  if (named.digest) {
    throw new StrataError("INVALID_ARGUMENT", "cannot push a digest reference", { details: { name } });
  }
  if (allTags && named.tag) {
    throw new StrataError("INVALID_ARGUMENT", "tag can't be used with --all-tags/-a", { details: { name } });
  }
  return allTags ? named : tagNameOnly(named);
}

export async function push(
  store: Store,
  registry: RegistryClient,
  name: string,
  opts: PushOptions = {},
): Promise<PushResult> {
  const named = pushReference(name, opts.allTags);
  const emit = opts.onProgress ?? (() => {});
  const repository = fullName(named);
  emit({ status: "repository", name: repository });
  const tags = tagsToPush(store, named, opts.allTags ?? false);
  await registry.ping(named, { signal: opts.signal });

  // Held shared for the whole push: garbage collection cannot take a layer being read.
  const gcLock = new FileLock(store.gcLockPath);
  await gcLock.acquire("shared");
  try {
    const pushed: PushedTag[] = [];
    for (const t of tags) {
      const tag = t.name.slice(repository.length + 1);
      const dest = makeReference(named.domain, named.path, tag);
      pushed.push(await pushImage(store, registry, dest, t.imageId, emit, opts));
    }
    return { repository, tags: pushed };
  } finally {
    gcLock.release();
  }
}

/** The image's own manifest, when it came from a registry and is still stored. */
function ownManifest(store: Store, imageId: Digest): { bytes: Buffer; mediaType: string } | undefined {
  const image = store.meta.images.get(imageId);
  if (!image?.manifestDigest || !image.manifestMediaType || !store.content.has(image.manifestDigest)) {
    return undefined;
  }
  return { bytes: store.content.read(image.manifestDigest), mediaType: image.manifestMediaType };
}

async function pushImage(
  store: Store,
  registry: RegistryClient,
  dest: Reference,
  imageId: Digest,
  emit: PushListener,
  opts: PushOptions,
): Promise<PushedTag> {
  const image = store.meta.images.get(imageId);
  if (!image) throw new StrataError("NOT_FOUND", `No such image: ${imageId}`);
  const configBytes = store.content.read(imageId);
  // Both documents were checked at the door (pull, import, commit): only the parts a push needs are read.
  const diffIds = (JSON.parse(configBytes.toString("utf8")) as { rootfs: { diff_ids: Digest[] } }).rootfs
    .diff_ids;
  const own = ownManifest(store, imageId);
  const ownLayers = own
    ? (
        JSON.parse(own.bytes.toString("utf8")) as {
          layers: Array<{ digest: Digest; size: number; mediaType: string }>;
        }
      ).layers
    : undefined;
  const layers: PushLayer[] = diffIds.map((diffId, i) => {
    const blob = ownLayers?.length === diffIds.length ? ownLayers[i] : undefined;
    return {
      diffId,
      chainId: image.chain[i],
      manifestBlob: blob && { digest: blob.digest, size: blob.size, mediaType: blob.mediaType },
    };
  });
  const oci =
    isOciMediaType(own?.mediaType) ||
    image.chain.some((c) => isOciMediaType(store.meta.layers.get(c)?.mediaType));

  // The config goes up beside the layers (its HEAD costs a round trip of its own); the manifest,
  // which makes the image visible, still waits for both.
  const configAbort = new AbortController();
  const configSignal = opts.signal ? AbortSignal.any([opts.signal, configAbort.signal]) : configAbort.signal;
  const config = registry.pushBlob(dest, imageId, configBytes, configBytes.length, { signal: configSignal });
  config.catch(() => {});
  let blobs: PushedBlob[];
  try {
    blobs = await pushLayers(store, registry, dest, layers, oci, emit, opts);
  } catch (err) {
    configAbort.abort(err);
    throw err;
  }
  await config;
  const unchanged = own && ownLayers && layers.every((l, i) => l.manifestBlob?.digest === blobs[i].digest);
  const manifest: ManifestToPush = unchanged
    ? own
    : buildManifest(oci, { digest: imageId, size: configBytes.length }, blobs);
  const digest = await registry.pushManifest(dest, manifest.bytes, manifest.mediaType, {
    signal: opts.signal,
  });
  // The repository digest, as Docker adds it after a push (unchanged on a push again: no write).
  const digestName = referenceString(withDigest(makeReference(dest.domain, dest.path), digest));
  if (store.meta.images.getRef(digestName)?.imageId !== imageId) {
    store.meta.images.setRef({ name: digestName, repo: fullName(dest), kind: "digest", imageId });
  }
  emit({ status: "tag", tag: dest.tag!, digest, size: manifest.bytes.length });
  return { tag: dest.tag!, digest, size: manifest.bytes.length, layers: blobs.map((b) => b.how) };
}

/** All layers at once (up to `concurrency`), top layer first as Docker lists them; one failure stops all. */
async function pushLayers(
  store: Store,
  registry: RegistryClient,
  dest: Reference,
  layers: PushLayer[],
  oci: boolean,
  emit: PushListener,
  opts: PushOptions,
): Promise<PushedBlob[]> {
  // A diff ID listed twice (two empty layers) is pushed once.
  const unique = [...new Map(layers.map((l) => [l.diffId, l])).values()].reverse();
  for (const l of unique) emit({ status: "layer", id: shortHex(l.diffId), phase: "preparing" });

  const results = new Map<Digest, PushedBlob>();
  const pushOne = async (layer: (typeof unique)[number], signal: AbortSignal) => {
    const id = shortHex(layer.diffId);
    const ctx: LayerContext = {
      store,
      registry,
      dest,
      signal,
      gzipMediaType: oci ? MediaType.OciLayerGzip : MediaType.DockerLayerGzip,
      report: (phase: PushPhase, extra = {}) => emit({ status: "layer", id, phase, ...extra }),
    };
    const blob = await pushLayer(ctx, layer);
    results.set(layer.diffId, blob);
    if (!blob.known)
      store.meta.blobSources.add([
        {
          diffId: layer.diffId,
          digest: blob.digest,
          mediaType: blob.mediaType,
          size: blob.size,
          registry: dest.domain,
          repository: dest.path,
        },
      ]);
    if (blob.how === "exists") ctx.report("exists");
    else if (blob.how !== "mounted") ctx.report("pushed");
  };
  await eachLimited(unique, opts.concurrency ?? 5, pushOne, opts.signal);
  return layers.map((l) => results.get(l.diffId)!);
}
