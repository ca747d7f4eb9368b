/**
 * Applies a layer tar into an empty directory in overlay form, as Docker's
 * overlay2 stores layers, in one streaming pass: the blob is decompressed
 * (decompress.ts) while both digests are computed, the tar read entry by
 * entry (tar-reader.ts), each entry written into the directory
 * (apply-entry.ts, which holds the path safety, whiteout, tar-split and size
 * rules) and every byte that is not file content kept in the tar-split, so
 * the exact tar can be re-emitted. The digests are checked at the end.
 */
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { LayerWriter } from "./apply-entry.ts";
import { type Compression, decompress } from "./decompress.ts";
import { PoolHash } from "./pool-hash.ts";
import { ByteSource, TarReader } from "./tar-reader.ts";
import { TarSplitWriter } from "./tar-split.ts";

export { cleanName } from "./layer-tree.ts";

export interface ApplyOptions {
  compression: Compression;
  /** Digest of the bytes as given (the registry blob). */
  expectedDigest?: Digest;
  /** Digest of the uncompressed tar. */
  expectedDiffId?: Digest;
  tarSplitPath: string;
  signal?: AbortSignal;
  /** Compressed bytes read so far. */
  onProgress?: (compressedBytesRead: number) => void;
}

export interface ApplyResult {
  digest: Digest;
  compressedSize: number;
  diffId: Digest;
  /** Apparent bytes of the layer's files, hardlinks once: Docker's overlay2 DiffSize. */
  size: number;
}

function mismatch(
  code: "DIGEST_MISMATCH" | "DIFF_ID_MISMATCH",
  what: string,
  expected: string,
  actual: string,
) {
  return new StrataError(code, `${what} mismatch: expected ${expected}, got ${actual}`, {
    details: { expected, actual },
  });
}

export async function applyLayer(input: Readable, dir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const stream = decompress(input, opts.compression, opts.onProgress);
  const onAbort = () => stream.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const split = new TarSplitWriter(opts.tarSplitPath);
  // The tar's digest: computed by the decompressor when it can, here otherwise.
  const tarHash = stream.outputDigest ? undefined : new PoolHash();
  const source = new ByteSource(stream.chunks, tarHash, stream.pool);
  const reader = new TarReader(source);
  const writer = new LayerWriter(dir, split, source);
  const onRaw = (raw: Buffer) => split.raw(raw);
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      let entry = reader.nextNow(onRaw);
      if (entry === undefined) entry = await reader.next(onRaw);
      if (!entry) break;
      const wait = writer.entry(entry.header, entry.pax);
      if (wait) await wait;
    }
    await source.drain((c) => split.raw(c));
    await stream.finished;
    await writer.finish();
  } catch (err) {
    let failure = err;
    if (err instanceof StrataError && err.message.startsWith("unexpected EOF")) {
      // The tar ended early: if the decompressor failed, its error says why.
      await stream.finished.catch((e) => {
        failure = e;
      });
    }
    stream.abort();
    await writer.abandon();
    await stream.finished.catch(() => {});
    await split.close().catch(() => {});
    throw opts.signal?.aborted ? opts.signal.reason : failure;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  await split.close();
  const { digest, size: compressedSize } = await stream.input;
  const diffId = tarHash ? await tarHash.digest() : stream.outputDigest!();
  if (opts.expectedDigest && digest !== opts.expectedDigest) {
    throw mismatch("DIGEST_MISMATCH", "digest", opts.expectedDigest, digest);
  }
  if (opts.expectedDiffId && diffId !== opts.expectedDiffId) {
    throw mismatch("DIFF_ID_MISMATCH", "layer diff ID", opts.expectedDiffId, diffId);
  }
  return { digest, compressedSize, diffId, size: writer.sizes.total() };
}
