/** Reading bodies whole, with a cap: a registry must not make strata buffer without bound. */
import type { Readable } from "node:stream";

/** All of `stream`, or `tooBig()` thrown (and the stream destroyed) once more than `limit` bytes arrive. */
export async function readAll(stream: Readable, limit: number, tooBig: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw tooBig();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** An error body as text, cut at `limit` bytes (the rest is discarded). */
export async function readText(stream: Readable, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const c = chunk as Buffer;
    if (size + c.length > limit) {
      chunks.push(c.subarray(0, limit - size));
      stream.destroy();
      break;
    }
    size += c.length;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}
