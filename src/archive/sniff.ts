/** Detects a stream's compression from its first bytes (for `import` and `load`, which get no media type). */
import { Readable } from "node:stream";
import type { Compression } from "./decompress.ts";

export async function sniffCompression(
  input: Readable,
): Promise<{ compression: Compression; stream: Readable }> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  let compression: Compression = "none";
  if (head[0] === 0x1f && head[1] === 0x8b) compression = "gzip";
  else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) compression = "zstd";
  async function* replay() {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  return { compression, stream: Readable.from(replay(), { objectMode: false }) };
}
