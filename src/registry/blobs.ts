/**
 * Reading blobs. `openBlob` streams without verifying (the puller hashes
 * while it unpacks, so a layer is read once) and resumes with a Range
 * request; `fetchBlob` buffers small blobs such as configs and verifies
 * their size and digest before returning them.
 */
import { createHash } from "node:crypto";
import { pipeline, Readable, Transform } from "node:stream";
import { type Digest, sha256Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { familiarString, type Reference } from "../reference/index.ts";
import { networkError } from "./network-errors.ts";
import { readAll } from "./read.ts";
import { type Access, pullScope, type Session } from "./session.ts";
import { type HttpResponse, header } from "./transport.ts";

export interface BlobDescriptor {
  digest: Digest;
  size?: number;
}

export interface OpenBlobOptions {
  /** Start at this byte (a resumed download): the stream yields the bytes from here on. */
  offset?: number;
  signal?: AbortSignal;
}

export interface BlobStream {
  /** The blob's bytes from `offset` on, not verified. */
  stream: Readable;
  /** The size of the whole blob (not of the remainder), or -1 when neither the registry nor the descriptor says. */
  size: number;
}

/**
 * The body as the caller reads it: at most `limit` bytes (the size the
 * manifest declares, less the offset), refused as soon as one more arrives
 * rather than buffered until the digest check; a connection that fails
 * mid-body is a registry error worded as Go's (`Get "…": EOF`), not undici's.
 */
function guardBody(
  res: HttpResponse,
  desc: BlobDescriptor,
  limit: number | undefined,
  signal: AbortSignal | undefined,
): Readable {
  let seen = 0;
  let refused = false;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (limit !== undefined && seen > limit) {
        refused = true;
        done(
          new StrataError(
            "SIZE_MISMATCH",
            `size mismatch for blob ${desc.digest}: its descriptor declares ${desc.size} bytes, the registry sent more`,
            { details: { digest: desc.digest, size: desc.size } },
          ),
        );
        res.body.destroy();
        return;
      }
      done(null, chunk);
    },
  });
  res.body.on("error", (err) => {
    // Destroying the body ourselves (a refused blob, a closed reader) is not the registry's failure,
    // and an aborted pull reports why it was aborted.
    if (refused || guard.destroyed) return;
    guard.destroy(signal?.aborted ? signal.reason : networkError(err, "GET", res.url));
  });
  // Readers see errors through their own listeners; one that stopped reading (an upload that
  // failed and aborted this download) must not turn the body's failure into an uncaught error.
  guard.on("error", () => {});
  guard.on("close", () => {
    if (!res.body.destroyed) res.body.destroy();
  });
  res.body.pipe(guard);
  return guard;
}

/** Drops the first `n` bytes, for servers that answer a Range request with the whole blob. */
function skipBytes(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = chunk.subarray(left);
      left = 0;
      done(null, rest);
    },
  });
}

export async function openBlob(
  session: Session,
  ref: Reference,
  desc: BlobDescriptor,
  opts: OpenBlobOptions = {},
): Promise<BlobStream> {
  const offset = opts.offset ?? 0;
  if (desc.size !== undefined && offset === desc.size && offset > 0) {
    return { stream: Readable.from([]), size: desc.size };
  }
  const access: Access = { scopes: [pullScope(ref)], op: "pull", resource: "blob" };
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const res = await session.call(
    ref,
    { method: "GET", path: `blobs/${desc.digest}`, headers },
    access,
    opts.signal,
  );
  const length = Number(header(res.headers, "content-length") ?? Number.NaN);
  const remaining = desc.size === undefined ? undefined : desc.size - offset;
  if (res.status === 206 && offset > 0) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res.headers, "content-range") ?? "");
    if (!range || Number(range[1]) !== offset) {
      res.body.destroy();
      throw new StrataError(
        "REGISTRY_ERROR",
        `registry answered a range request for ${desc.digest} with the wrong range`,
        {
          details: { contentRange: header(res.headers, "content-range"), offset },
        },
      );
    }
    const total = range[3] === "*" ? (desc.size ?? -1) : Number(range[3]);
    return { stream: guardBody(res, desc, remaining, opts.signal), size: total };
  }
  if (res.status === 200) {
    const size = Number.isNaN(length) ? (desc.size ?? -1) : length;
    const whole = desc.size === undefined ? undefined : desc.size;
    if (offset === 0) return { stream: guardBody(res, desc, whole, opts.signal), size };
    // pipeline passes a failure of the response on to the stream the caller reads.
    return { stream: pipeline(guardBody(res, desc, whole, opts.signal), skipBytes(offset), () => {}), size };
  }
  throw await session.fail(ref, res, "GET", access);
}

export interface FetchBlobOptions {
  signal?: AbortSignal;
  /** Names the blob in errors, as Docker does (`image config verification failed …`). */
  what?: string;
  /** Refuse blobs bigger than this when the descriptor has no size (default 64 MiB). */
  maxSize?: number;
}

/** A whole blob in memory, its size and digest verified. For configs and other small blobs. */
export async function fetchBlob(
  session: Session,
  ref: Reference,
  desc: BlobDescriptor,
  opts: FetchBlobOptions = {},
): Promise<Buffer> {
  const what = opts.what ?? "blob";
  const { stream } = await openBlob(session, ref, desc, { signal: opts.signal });
  const limit = desc.size ?? opts.maxSize ?? 64 << 20;
  const sizeError = (actual: string) =>
    new StrataError(
      "SIZE_MISMATCH",
      `${what} ${desc.digest} has the wrong size: expected ${desc.size}, got ${actual}`,
      {
        details: { reference: familiarString(ref), digest: desc.digest },
      },
    );
  const bytes = await readAll(stream, limit, () =>
    desc.size === undefined
      ? new StrataError("INVALID_ARGUMENT", `${what} ${desc.digest} is larger than ${limit} bytes`)
      : sizeError(`more than ${desc.size}`),
  );
  if (desc.size !== undefined && bytes.length !== desc.size) throw sizeError(String(bytes.length));
  const actual = sha256Digest(bytes);
  if (actual !== desc.digest) {
    throw new StrataError("DIGEST_MISMATCH", `${what} verification failed for digest ${desc.digest}`, {
      details: { reference: familiarString(ref), expected: desc.digest, actual },
    });
  }
  return bytes;
}

/** HEAD on the blob: true when the repository has it. */
export async function blobExists(
  session: Session,
  ref: Reference,
  digest: Digest,
  opts: { signal?: AbortSignal; scopes?: string[] } = {},
): Promise<boolean> {
  const access: Access = { scopes: opts.scopes ?? [pullScope(ref)], op: "other", resource: "blob" };
  const res = await session.call(ref, { method: "HEAD", path: `blobs/${digest}` }, access, opts.signal);
  if (res.status === 200) {
    await res.body.dump().catch(() => {});
    return true;
  }
  if (res.status === 404) {
    await res.body.dump().catch(() => {});
    return false;
  }
  throw await session.fail(ref, res, "HEAD", access);
}

/** sha256 of a stream, for callers that verify what openBlob gave them. */
export async function digestStream(stream: Readable): Promise<{ digest: Digest; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest("hex")}` as Digest, size };
}
