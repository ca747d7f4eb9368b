/**
 * In-process gzip (src/archive/inflate.ts over the addon's ISA-L Inflater):
 * the same bytes and digest as gzip -d, whatever the input's chunking;
 * concatenated members read as one stream and trailing junk ignored, as
 * gzip -d reads them; corrupt, truncated and non-gzip input refused; output
 * buffers reused, so memory stays flat on a stream that inflates 1000×.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { inflate } from "../../src/archive/inflate.ts";
import { StrataError } from "../../src/errors.ts";

/** `data` as a stream of `size`-byte chunks. */
function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

/** Reads the whole output (each chunk released once read), with its hash and the distinct buffers it came in. */
async function inflateAll(input: Readable, keep = true) {
  const inflated = inflate(input);
  const parts: Buffer[] = [];
  const hash = createHash("sha256");
  const buffers = new Set<ArrayBufferLike>();
  for (let r = await inflated.chunks.next(); !r.done; r = await inflated.chunks.next()) {
    if (keep) parts.push(Buffer.from(r.value));
    hash.update(r.value);
    buffers.add(r.value.buffer);
    inflated.pool.release(r.value);
  }
  await inflated.finished;
  return {
    out: Buffer.concat(parts),
    read: `sha256:${hash.digest("hex")}`,
    digest: inflated.digest(),
    buffers: buffers.size,
  };
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

test("the bytes and digest of gzip -d, for any chunking of the input", async () => {
  // Compressible and incompressible stretches, ~6 MB in all (several 1 MiB outputs).
  const data = Buffer.concat([randomBytes(2 << 20), Buffer.alloc(3 << 20, "strata "), randomBytes(1 << 20)]);
  const blob = gzipSync(data);
  for (const size of [7777, 65536, blob.length]) {
    const r = await inflateAll(chunked(blob, size));
    assert.ok(r.out.equals(data), `chunks of ${size}`);
    assert.equal(r.digest, sha256(data));
  }
  // One byte at a time: every header, block and trailer split everywhere.
  const small = Buffer.concat([randomBytes(20_000), Buffer.alloc(80_000, "layer ")]);
  const r = await inflateAll(chunked(gzipSync(small), 1));
  assert.ok(r.out.equals(small));
  assert.equal(r.digest, sha256(small));
});

test("concatenated members are one stream; bytes after the last member are ignored, as gzip -d does", async () => {
  const a = Buffer.from("first member\n");
  const b = randomBytes(300_000);
  const members = Buffer.concat([gzipSync(a), gzipSync(b)]);
  const r = await inflateAll(chunked(members, 1000));
  assert.ok(r.out.equals(Buffer.concat([a, b])));
  assert.equal(r.digest, sha256(Buffer.concat([a, b])));
  const junk = await inflateAll(chunked(Buffer.concat([members, Buffer.from("trailing junk")]), 1000));
  assert.ok(junk.out.equals(Buffer.concat([a, b])));
});

async function refusal(blob: Buffer): Promise<string> {
  try {
    await inflateAll(chunked(blob, 4096));
  } catch (err) {
    assert.ok(err instanceof StrataError);
    assert.equal(err.code, "CORRUPT_LAYER");
    return err.message;
  }
  assert.fail("inflated");
}

test("truncated, corrupt and non-gzip input is CORRUPT_LAYER with the reason", async () => {
  const blob = gzipSync(randomBytes(100_000));
  assert.equal(
    await refusal(blob.subarray(0, blob.length - 100)),
    "layer does not decompress: unexpected end of gzip data",
  );
  assert.equal(await refusal(blob.subarray(0, 5)), "layer does not decompress: unexpected end of gzip data");
  const flipped = Buffer.from(blob);
  flipped[flipped.length - 6] ^= 0xff; // in the CRC-32 of the trailer
  assert.equal(await refusal(flipped), "layer does not decompress: gzip checksum mismatch");
  assert.equal(
    await refusal(Buffer.from("this is not a gzip stream, not at all")),
    "layer does not decompress: not in gzip format",
  );
  assert.equal(await refusal(Buffer.alloc(0)), "layer does not decompress: unexpected end of gzip data");
});

test("a failing input is the error reported", async () => {
  const blob = gzipSync(randomBytes(1 << 20));
  const input = new PassThrough();
  input.write(blob.subarray(0, blob.length >> 1));
  setImmediate(() => input.destroy(new Error("connection reset")));
  await assert.rejects(inflateAll(input), /connection reset/);
});

test("output buffers are reused: 256 MB inflated from 250 KB through a handful of them", async () => {
  const blob = gzipSync(Buffer.alloc(256 << 20), { level: 9 });
  const r = await inflateAll(chunked(blob, 65536), false);
  assert.equal(r.digest, sha256(Buffer.alloc(256 << 20)));
  assert.equal(r.read, r.digest);
  assert.ok(r.buffers <= 3, `${r.buffers} buffers`);
});
