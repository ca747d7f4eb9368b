/**
 * Re-emits a stored layer as the exact tar it was unpacked from: raw header
 * bytes from the tar-split, payloads read back from the layer directory (and
 * checked against the recorded sizes).
 */
import { closeSync, constants, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StrataError } from "../errors.ts";
import { readTarSplit } from "./tar-split.ts";

const CHUNK = 1 << 20;

function* payload(dir: string, path: string, size: number): Generator<Buffer> {
  const fd = openSync(join(dir, path), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      left -= n;
      yield buf.subarray(0, n);
    }
    const extra = readSync(fd, Buffer.alloc(1), 0, 1, null);
    if (left !== 0 || extra !== 0) {
      throw new StrataError("STORE_CORRUPT", `layer file ${path} changed size since it was unpacked`);
    }
  } finally {
    closeSync(fd);
  }
}

export function emitLayer(dir: string, tarSplitPath: string): Readable {
  const records = readTarSplit(tarSplitPath);
  function* generate(): Generator<Buffer> {
    for (const r of records) {
      if (r.kind === "R") yield r.bytes;
      else if (r.inline) yield r.inline;
      else yield* payload(dir, r.path, r.size);
    }
  }
  return Readable.from(generate(), { objectMode: false });
}
