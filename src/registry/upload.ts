/**
 * Blob uploads (distribution spec "Pushing blobs"): skip what the
 * repository already has, try a cross-repository mount when asked, else
 * POST an upload session and either PUT the whole blob (monolithic) or
 * PATCH it in order in chunks and close it with an empty PUT.
 */
import { createHash } from "node:crypto";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type Digest, sha256Digest } from "../digest/index.ts";
import { RegistryError, StrataError } from "../errors.ts";
import { familiarString, parseNormalizedNamed, type Reference } from "../reference/index.ts";
import { blobExists } from "./blobs.ts";
import { type Access, pullScope, pushScope, type Session } from "./session.ts";
import { type HttpResponse, header } from "./transport.ts";

export type BlobData = Buffer | (() => Readable);

export interface PushBlobOptions {
  signal?: AbortSignal;
  /** Another repository on the same registry that has the blob: mount it instead of uploading. */
  mountFrom?: Reference | string;
  /** Upload in PATCH chunks of this many bytes instead of one PUT. */
  chunkSize?: number;
}

export interface PushBlobResult {
  digest: Digest;
  size: number;
  /** `exists`: nothing sent; `mounted`: linked from `mountFrom`; `uploaded`: bytes sent. */
  status: "exists" | "mounted" | "uploaded";
}

/** Yields `stream` in pieces of exactly `size` bytes (the last may be shorter). */
async function* chunks(data: BlobData, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(data)) {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    return;
  }
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of data()) {
    pending.push(chunk as Buffer);
    pendingSize += (chunk as Buffer).length;
    while (pendingSize >= size) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      pendingSize -= size;
    }
  }
  if (pendingSize > 0) yield Buffer.concat(pending);
}

export async function pushBlob(
  session: Session,
  ref: Reference,
  digest: Digest,
  data: BlobData,
  size: number,
  opts: PushBlobOptions = {},
): Promise<PushBlobResult> {
  if (Buffer.isBuffer(data)) {
    // Cheap to check here, and clearer than the registry's DIGEST_INVALID.
    const actual = sha256Digest(data);
    if (actual !== digest || data.length !== size) {
      throw new StrataError("DIGEST_MISMATCH", `blob data does not match ${digest} (${size} bytes)`, {
        details: { expected: digest, actual, size: data.length },
      });
    }
  }
  const from =
    opts.mountFrom === undefined
      ? undefined
      : typeof opts.mountFrom === "string"
        ? parseNormalizedNamed(opts.mountFrom)
        : opts.mountFrom;
  const mount = from && from.domain === ref.domain && from.path !== ref.path ? from : undefined;
  const scopes = [pushScope(ref), ...(mount ? [pullScope(mount)] : [])];
  const access: Access = { scopes, op: "push", resource: "upload" };
  const { signal } = opts;

  if (await blobExists(session, ref, digest, { signal, scopes })) return { digest, size, status: "exists" };

  const start = mount
    ? `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mount.path)}`
    : "blobs/uploads/";
  const started = await session.call(
    ref,
    { method: "POST", path: start, headers: { "content-length": "0" } },
    access,
    signal,
  );
  if (started.status === 201 && mount) {
    await started.body.dump().catch(() => {});
    return { digest, size, status: "mounted" };
  }
  let location = await locationOf(session, ref, started, 202, "POST", access);

  if (opts.chunkSize && opts.chunkSize > 0) {
    let offset = 0;
    for await (const chunk of chunks(data, opts.chunkSize)) {
      const res = await session.call(
        ref,
        {
          method: "PATCH",
          url: location,
          headers: {
            "content-type": "application/octet-stream",
            "content-length": String(chunk.length),
            "content-range": `${offset}-${offset + chunk.length - 1}`,
          },
          body: chunk,
          // A repeated PATCH would append twice: the upload must restart instead.
          retry: false,
        },
        access,
        signal,
      );
      location = await locationOf(session, ref, res, 202, "PATCH", access);
      offset += chunk.length;
    }
    if (offset !== size) {
      throw new StrataError("SIZE_MISMATCH", `blob ${digest}: sent ${offset} bytes, expected ${size}`);
    }
    await complete(session, ref, location, digest, access, signal);
  } else {
    location.searchParams.set("digest", digest);
    const done = await session.call(
      ref,
      {
        method: "PUT",
        url: location,
        headers: { "content-type": "application/octet-stream", "content-length": String(size) },
        body: data,
      },
      access,
      signal,
    );
    await finish(session, ref, done, digest, access);
  }
  return { digest, size, status: "uploaded" };
}

async function locationOf(
  session: Session,
  ref: Reference,
  res: HttpResponse,
  want: number,
  method: string,
  access: Access,
): Promise<URL> {
  if (res.status !== want) throw await session.fail(ref, res, method, access);
  await res.body.dump().catch(() => {});
  const location = header(res.headers, "location");
  if (!location) {
    throw new RegistryError("REGISTRY_ERROR", `registry sent no upload location for ${familiarString(ref)}`, {
      status: res.status,
      method,
    });
  }
  // Locations may be relative to the registry, and may carry upload state in the query.
  return new URL(location, res.url);
}

/** Closes a chunked upload: an empty PUT naming the digest (the distribution spec's last step). */
async function complete(
  session: Session,
  ref: Reference,
  location: URL,
  digest: Digest,
  access: Access,
  signal: AbortSignal | undefined,
): Promise<void> {
  location.searchParams.set("digest", digest);
  const headers = { "content-length": "0" };
  const done = await session.call(ref, { method: "PUT", url: location, headers }, access, signal);
  await finish(session, ref, done, digest, access);
}

async function finish(
  session: Session,
  ref: Reference,
  res: HttpResponse,
  digest: Digest,
  access: Access,
): Promise<void> {
  if (res.status !== 201) throw await session.fail(ref, res, "PUT", access);
  await res.body.dump().catch(() => {});
  const echoed = header(res.headers, "docker-content-digest");
  if (echoed && echoed !== digest) {
    throw new RegistryError("DIGEST_MISMATCH", `registry stored blob as ${echoed}, expected ${digest}`, {
      status: res.status,
      method: "PUT",
    });
  }
}

export type MountResult = { status: "mounted" } | { status: "started"; location: URL };

/**
 * Asks the registry to link `digest` from `from` (another repository on the
 * same registry) into `ref`: 201 means mounted. Otherwise the registry has
 * opened an ordinary upload (202), whose location the caller can stream into.
 */
export async function mountBlob(
  session: Session,
  ref: Reference,
  digest: Digest,
  from: Reference,
  signal?: AbortSignal,
): Promise<MountResult> {
  const access: Access = { scopes: [pushScope(ref), pullScope(from)], op: "push", resource: "upload" };
  const res = await session.call(
    ref,
    {
      method: "POST",
      path: `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.path)}`,
      headers: { "content-length": "0" },
    },
    access,
    signal,
  );
  if (res.status === 201) {
    await res.body.dump().catch(() => {});
    return { status: "mounted" };
  }
  return { status: "started", location: await locationOf(session, ref, res, 202, "POST", access) };
}

export interface StreamUploadOptions {
  signal?: AbortSignal;
  /** When the bytes must hash to a known digest (a copied blob): checked before the upload is closed. */
  expectedDigest?: Digest;
  /** Bytes sent so far in this attempt. */
  onProgress?: (sent: number) => void;
  /** An upload already opened (a mount the registry turned into an upload). */
  location?: URL;
  /** Fresh uploads after a temporary failure mid-stream (default 3). */
  restarts?: number;
  /** Told before each restart, with the attempt number and what went wrong. */
  onRestart?: (attempt: number, err: unknown) => void;
  retryDelayMs?: number;
}

/** A hashing, counting pass-through: the digest is known when the last byte has gone. */
class Meter extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  sourceError?: unknown;
  constructor(private readonly onBytes?: (n: number) => void) {
    // Large buffers: the request body is written in fewer, bigger pieces.
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.onBytes?.(this.size);
    done(null, chunk);
  }
  digest(): Digest {
    return `sha256:${this.hash.digest("hex")}` as Digest;
  }
}

/**
 * Streams `open()`'s bytes into a new upload with one PATCH (no temporary
 * copy: the sha256 is computed on the way) and closes it with `PUT
 * ?digest=`. A temporary failure mid-stream restarts the blob in a fresh
 * upload: distribution discards an upload whose stored size disagrees with
 * its state token, so a byte-level resume is not possible there.
 */
export async function uploadStream(
  session: Session,
  ref: Reference,
  open: () => Readable | Promise<Readable>,
  opts: StreamUploadOptions = {},
): Promise<{ digest: Digest; size: number }> {
  const access: Access = { scopes: [pushScope(ref)], op: "push", resource: "upload" };
  const { signal } = opts;
  const restarts = opts.restarts ?? 3;
  let given = opts.location;
  for (let attempt = 0; ; attempt++) {
    let location: URL;
    if (given) {
      location = given;
      given = undefined;
    } else {
      const started = await session.call(
        ref,
        { method: "POST", path: "blobs/uploads/", headers: { "content-length": "0" } },
        access,
        signal,
      );
      location = await locationOf(session, ref, started, 202, "POST", access);
    }
    const source = await open();
    const meter = new Meter(opts.onProgress);
    source.on("error", (err) => {
      meter.sourceError = err;
      meter.destroy(err as Error);
    });
    source.pipe(meter);
    try {
      const res = await session
        .call(
          ref,
          {
            method: "PATCH",
            url: location,
            headers: { "content-type": "application/octet-stream" },
            body: () => meter,
            // A repeated PATCH would append twice: the upload restarts instead.
            retry: false,
          },
          access,
          signal,
        )
        .catch((err) => {
          throw meter.sourceError ?? err;
        });
      if (meter.sourceError) throw meter.sourceError;
      if (res.status !== 202) throw await session.fail(ref, res, "PATCH", access);
      location = await locationOf(session, ref, res, 202, "PATCH", access);
      const digest = meter.digest();
      if (opts.expectedDigest && digest !== opts.expectedDigest) {
        await cancelUpload(session, ref, location, access);
        throw new StrataError(
          "DIGEST_MISMATCH",
          `blob verification failed for digest ${opts.expectedDigest}: got ${digest}`,
          { details: { expected: opts.expectedDigest, actual: digest } },
        );
      }
      await complete(session, ref, location, digest, access, signal);
      return { digest, size: meter.size };
    } catch (err) {
      source.destroy();
      if (signal?.aborted) throw signal.reason;
      if (attempt >= restarts || !isTemporary(err)) throw err;
      opts.onRestart?.(attempt + 1, err);
      await cancelUpload(session, ref, location, access);
      await sleep((opts.retryDelayMs ?? 500) * 2 ** attempt, undefined, { signal });
    }
  }
}

function isTemporary(err: unknown): boolean {
  return err instanceof RegistryError && err.temporary === true;
}

/** Frees an upload the registry would otherwise keep until its purge; failures do not matter. */
async function cancelUpload(session: Session, ref: Reference, location: URL, access: Access): Promise<void> {
  try {
    const res = await session.call(ref, { method: "DELETE", url: location, retry: false }, access);
    await res.body.dump().catch(() => {});
  } catch {
    // The registry may be gone: it purges abandoned uploads itself.
  }
}
