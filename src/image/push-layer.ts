/**
 * Getting one layer's blob into the destination repository, cheapest way
 * first: a blob it already has (HEAD), a mount from a sibling repository on
 * the same registry, a verified copy from the registry the layer was pulled
 * from (the digest is kept and nothing is compressed, as skopeo copies), and
 * only then gzip of the tar re-emitted from the layer's tar-split.
 */
import { createHash } from "node:crypto";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { type Digest, shortHex } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import type { BlobSource } from "../metadata/index.ts";
import { makeReference, type Reference } from "../reference/index.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { Store } from "../store/index.ts";
import type { PushPhase } from "./events.ts";

export interface PushLayer {
  diffId: Digest;
  chainId: Digest;
  /** The blob the image's own manifest names for this layer, when it came from a registry. */
  manifestBlob?: { digest: Digest; size: number; mediaType: string };
}

export interface PushedBlob {
  digest: Digest;
  size: number;
  mediaType: string;
  how: "exists" | "mounted" | "copied" | "compressed";
  /** Already recorded in blob_sources for this repository: nothing new to write. */
  known?: boolean;
}

export interface LayerContext {
  store: Store;
  registry: RegistryClient;
  dest: Reference;
  signal: AbortSignal;
  /** The media type a freshly gzipped layer gets (Docker's or OCI's, as the manifest will be). */
  gzipMediaType: string;
  report(
    phase: PushPhase,
    extra?: { current?: number; total?: number; from?: string; attempt?: number },
  ): void;
}

/** Known blobs of a layer, the image's own first, without repeats. */
function candidates(layer: PushLayer, sources: BlobSource[]): BlobSource[] {
  const list: BlobSource[] = [];
  if (layer.manifestBlob) {
    const own = sources.filter((s) => s.digest === layer.manifestBlob!.digest);
    list.push(...own);
  }
  list.push(...sources.filter((s) => !list.includes(s)));
  return list;
}

export async function pushLayer(ctx: LayerContext, layer: PushLayer): Promise<PushedBlob> {
  const { registry, dest, signal } = ctx;
  const sources = candidates(layer, ctx.store.meta.blobSources.forDiffId(layer.diffId));

  // 1. Blobs the destination repository may hold already: recorded there, or the image's own.
  const heads = new Map<Digest, { size: number; mediaType: string; known?: boolean }>();
  for (const s of sources)
    if (s.registry === dest.domain && s.repository === dest.path) heads.set(s.digest, { ...s, known: true });
  if (layer.manifestBlob && !heads.has(layer.manifestBlob.digest)) {
    heads.set(layer.manifestBlob.digest, layer.manifestBlob);
  }
  for (const [digest, info] of heads) {
    if (await registry.blobExists(dest, digest, { signal })) {
      return { digest, size: info.size, mediaType: info.mediaType, how: "exists", known: info.known };
    }
  }

  // 2. A mount from another repository of the same registry (Docker tries up to three).
  let location: URL | undefined;
  const siblings = sources.filter((s) => s.registry === dest.domain && s.repository !== dest.path);
  for (const s of siblings.slice(0, 3)) {
    const from = makeReference(s.registry, s.repository);
    const mounted = await registry.mountBlob(dest, s.digest, from, { signal });
    if (mounted.status === "mounted") {
      ctx.report("mounted", { from: s.repository });
      return { digest: s.digest, size: s.size, mediaType: s.mediaType, how: "mounted" };
    }
    location = mounted.location;
  }

  // 3. A copy from the registry the layer came from, verified on the way.
  const remote = sources.filter((s) => s.registry !== dest.domain && s.registry !== "");
  for (const s of remote.slice(0, 2)) {
    const copied = await copyBlob(ctx, s, location).catch((err) => {
      if (signal.aborted) throw err;
      return undefined; // the source is gone or refuses us: compress instead
    });
    if (copied) return copied;
    location = undefined; // a failed copy may have used (and cancelled) the upload
  }

  // 4. Compress the layer's tar as it was pulled or committed.
  return compressLayer(ctx, layer, location);
}

async function copyBlob(ctx: LayerContext, s: BlobSource, location?: URL): Promise<PushedBlob> {
  const source = makeReference(s.registry, s.repository);
  const open = async () => {
    const { stream } = await ctx.registry.openBlob(
      source,
      { digest: s.digest, size: s.size },
      {
        signal: ctx.signal,
      },
    );
    return stream;
  };
  // Open once before starting, so an unreachable source costs no upload.
  let first: Readable | undefined = await open();
  const { digest, size } = await ctx.registry.uploadStream(
    ctx.dest,
    async () => {
      const s = first ?? (await open());
      first = undefined;
      return s;
    },
    {
      signal: ctx.signal,
      location,
      expectedDigest: s.digest,
      onProgress: (n) => ctx.report("pushing", { current: n, total: s.size }),
      onRestart: (attempt) => ctx.report("retrying", { attempt }),
    },
  );
  return { digest, size, mediaType: s.mediaType, how: "copied" };
}

/** Hashes the tar as it is emitted: a layer whose files changed on disk is never published. */
class DiffIdCheck extends Transform {
  private readonly hash = createHash("sha256");
  private bytes = 0;
  constructor(
    private readonly diffId: Digest,
    private readonly onBytes: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    const actual = `sha256:${this.hash.digest("hex")}`;
    if (actual === this.diffId) {
      done();
      return;
    }
    done(
      new StrataError(
        "STORE_CORRUPT",
        `layer ${shortHex(this.diffId)} no longer matches its diff ID (re-emitted as ${actual})`,
        { hint: "strata system check" },
      ),
    );
  }
}

async function compressLayer(ctx: LayerContext, layer: PushLayer, location?: URL): Promise<PushedBlob> {
  // The archive code loads only when a layer really has to be compressed.
  const { emitLayer, emittedSize, gzipStream } = await import("../archive/index.ts");
  const { layers } = ctx.store;
  const dir = layers.diffDir(layer.chainId);
  const tarSplit = layers.tarSplitPath(layer.chainId);
  const total = emittedSize(tarSplit);
  const open = () => {
    const tar = emitLayer(dir, tarSplit);
    const check = new DiffIdCheck(layer.diffId, (n) => ctx.report("pushing", { current: n, total }));
    tar.on("error", (err) => check.destroy(err));
    return gzipStream(tar.pipe(check)).output;
  };
  const { digest, size } = await ctx.registry.uploadStream(ctx.dest, open, {
    signal: ctx.signal,
    location,
    onRestart: (attempt) => ctx.report("retrying", { attempt }),
  });
  return { digest, size, mediaType: ctx.gzipMediaType, how: "compressed" };
}
