/**
 * The pull pipeline, one streaming pass per layer: registry blob → sha256 of
 * the compressed bytes → decompress → sha256 of the tar (diff ID) → unpack in
 * overlay form into a staging directory → both digests match → one rename and
 * one database row. Layers are independent directories, so several download
 * and unpack at once; a layer whose chain ID is stored is not fetched at all.
 */
import type { ApplyResult } from "../archive/index.ts";
import { applyLayer, compressionFromMediaType } from "../archive/index.ts";
import { chainIds, type Digest, parseDigest, shortHex } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { acquireLease, clearStagingIfIdle, type Lease, withIngestLock } from "../gc/index.ts";
import { withLock } from "../metadata/index.ts";
import type { Platform } from "../oci/index.ts";
import { familiarString, parseReference, type Reference, referenceString } from "../reference/index.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { Store } from "../store/index.ts";
import { eachLimited } from "../sys/each-limited.ts";
import { parseConfig } from "./config.ts";
import type { LayerPhase, PullListener } from "./events.ts";
import { commitLayer } from "./ingest.ts";
import { recordImage } from "./record.ts";

export interface PullOptions {
  platform?: Platform;
  onProgress?: PullListener;
  signal?: AbortSignal;
  /** Layers downloaded and unpacked at once (Docker's max-concurrent-downloads). */
  concurrency?: number;
}

export interface PullResult {
  reference: Reference;
  imageId: Digest;
  /** The digest of what the tag resolved to: the index for a multi-platform image. */
  digest: Digest;
  /** False when the tag already pointed at this image ("Image is up to date"). */
  updated: boolean;
}

interface LayerJob {
  index: number;
  id: string;
  digest: Digest;
  size: number;
  mediaType: string;
  diffId: Digest;
  chainId: Digest;
  parent: Digest | null;
}

export async function pull(
  store: Store,
  registry: RegistryClient,
  refString: string,
  opts: PullOptions = {},
): Promise<PullResult> {
  const ref = parseReference(refString);
  const emit = opts.onProgress ?? (() => {});
  const resolved = await registry.resolveImage(ref, { platform: opts.platform, signal: opts.signal });
  emit({
    status: "resolved",
    id: ref.digest && !ref.tag ? referenceString(ref) : ref.tag!,
    repoPath: ref.path,
  });

  const config = parseConfig(resolved.config.bytes);
  const layers = resolved.manifest.parsed.layers;
  if (layers.length !== config.diffIds.length) {
    throw new StrataError(
      "INVALID_CONFIG",
      `image config has ${config.diffIds.length} diff IDs but the manifest lists ${layers.length} layers`,
      { details: { reference: familiarString(ref) } },
    );
  }
  const chain = chainIds(config.diffIds);
  const imageId = resolved.config.digest;

  // A lease, not the GC lock, while layers download and unpack: rmi and prune go ahead meanwhile
  // and spare what the pull pinned (the layers it found or committed); the GC lock is held
  // shared only while a layer is committed and while the image is recorded.
  const lease = acquireLease(store, "pull");
  try {
    const stored = pinStored(store, lease, chain);
    const complete = store.meta.images.get(imageId) !== undefined && stored.size === chain.length;
    if (!complete) {
      const jobs: LayerJob[] = layers.map((l, index) => ({
        index,
        id: shortHex(parseDigest(l.digest)),
        digest: parseDigest(l.digest),
        size: l.size,
        mediaType: l.mediaType,
        diffId: config.diffIds[index],
        chainId: chain[index],
        parent: index > 0 ? chain[index - 1] : null,
      }));
      await fetchLayers(store, registry, ref, jobs, emit, opts, { lease, stored });
    }
    const updated = await withIngestLock(store, async () => {
      const missing = chain.find((c) => !store.meta.layers.get(c));
      if (missing) {
        throw new StrataError("STORE_CORRUPT", `layer ${missing} of ${familiarString(ref)} is missing`);
      }
      // Where each layer's blob lives, so a push can mount or copy it instead of compressing.
      store.meta.blobSources.add(
        layers.map((l, i) => ({
          diffId: config.diffIds[i],
          digest: parseDigest(l.digest),
          mediaType: l.mediaType,
          size: l.size,
          registry: ref.domain,
          repository: ref.path,
        })),
      );
      store.content.write(resolved.manifest.bytes, resolved.manifest.digest);
      store.content.write(resolved.config.bytes, imageId);
      return recordImage(store, ref, {
        imageId,
        config,
        chain,
        manifestDigest: resolved.manifest.digest,
        manifestMediaType: resolved.manifest.mediaType,
        topDigest: resolved.topDigest,
      });
    });
    emit({ status: "digest", digest: resolved.topDigest });
    emit({ status: "done", updated, reference: familiarString(ref) });
    return { reference: ref, imageId, digest: resolved.topDigest, updated };
  } finally {
    lease.release();
    // Leftovers of an earlier, killed pull go once nobody else is using the store.
    if (store.layers.listTmp().length > 0) await clearStagingIfIdle(store).catch(() => false);
  }
}

/** The layers of `chain` that are stored, pinned (checked and pinned in one transaction). */
function pinStored(store: Store, lease: Lease, chain: readonly Digest[]): Set<Digest> {
  return store.meta.transaction(() => {
    const stored = new Set(chain.filter((c) => store.meta.layers.get(c)));
    lease.pin([...stored].map((key) => ({ type: "layer" as const, key })));
    return stored;
  });
}

interface Pins {
  lease: Lease;
  /** Layers found stored (and pinned) when the pull started. */
  stored: Set<Digest>;
}

async function fetchLayers(
  store: Store,
  registry: RegistryClient,
  ref: Reference,
  jobs: LayerJob[],
  emit: PullListener,
  opts: PullOptions,
  pins: Pins,
): Promise<void> {
  const layerEvent = (job: LayerJob, phase: LayerPhase, current?: number) =>
    emit({
      status: "layer",
      id: job.id,
      phase,
      current,
      total: current === undefined ? undefined : job.size,
    });
  // Layers unpack in parallel, but "Pull complete" is reported bottom-up, as Docker registers them.
  const done = new Set<number>();
  let reported = 0;
  const complete = (job: LayerJob) => {
    done.add(job.index);
    while (reported < jobs.length && (done.has(reported) || !todo.includes(jobs[reported]))) {
      if (done.has(reported)) layerEvent(jobs[reported], "complete");
      reported++;
    }
  };
  // The same blob listed twice is fetched once; later copies wait for it.
  const todo: LayerJob[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    if (pins.stored.has(job.chainId)) layerEvent(job, "exists");
    else if (!seen.has(job.chainId)) {
      seen.add(job.chainId);
      todo.push(job);
    }
  }
  for (const job of todo) layerEvent(job, "waiting");

  await eachLimited(
    todo,
    opts.concurrency ?? 3,
    (job, signal) =>
      fetchLayer(store, registry, ref, job, pins.lease, signal, (phase, current) =>
        phase === "complete" ? complete(job) : layerEvent(job, phase, current),
      ),
    opts.signal,
  );
}

async function fetchLayer(
  store: Store,
  registry: RegistryClient,
  ref: Reference,
  job: LayerJob,
  lease: Lease,
  signal: AbortSignal,
  report: (phase: LayerPhase, current?: number) => void,
): Promise<void> {
  await withLock(store.layerLockPath(job.chainId), "exclusive", async () => {
    // Another process may have stored it while we waited for the lock.
    if (pinStored(store, lease, [job.chainId]).size > 0) return report("complete");
    const staged = store.layers.stage();
    try {
      const { stream } = await registry.openBlob(ref, { digest: job.digest, size: job.size }, { signal });
      const result = await applyLayer(stream, staged.diffDir, {
        compression: compressionFromMediaType(job.mediaType),
        expectedDigest: job.digest,
        expectedDiffId: job.diffId,
        tarSplitPath: staged.tarSplitPath,
        signal,
        onProgress: (n) => report("downloading", n),
      });
      checkSize(job, result);
      report("verifying");
      report("downloaded");
      // Renamed, recorded and pinned with no collection in between.
      await withIngestLock(store, async () => {
        await commitLayer(store, staged, {
          chainId: job.chainId,
          diffId: job.diffId,
          parent: job.parent,
          size: result.size,
          compressedDigest: job.digest,
          compressedSize: result.compressedSize,
          mediaType: job.mediaType,
        });
        lease.pin([{ type: "layer", key: job.chainId }]);
      });
      report("complete");
    } catch (err) {
      await store.layers.discard(staged);
      throw err;
    }
  });
}

function checkSize(job: LayerJob, result: ApplyResult): void {
  if (job.size >= 0 && result.compressedSize !== job.size) {
    throw new StrataError(
      "SIZE_MISMATCH",
      `size mismatch for layer ${job.digest}: manifest says ${job.size} bytes, got ${result.compressedSize}`,
      { details: { digest: job.digest } },
    );
  }
}
