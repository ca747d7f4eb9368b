/**
 * Blob uploads (distribution spec "Pushing blobs"): skip what the
 * repository already has, try a cross-repository mount when asked, else
 * POST an upload session and either PUT the whole blob (monolithic) or
 * PATCH it in order in chunks and close it with an empty PUT.
 */
import type { Readable } from "node:stream";
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
    location.searchParams.set("digest", digest);
    const done = await session.call(
      ref,
      { method: "PUT", url: location, headers: { "content-length": "0" } },
      access,
      signal,
    );
    await finish(session, ref, done, digest, access);
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
