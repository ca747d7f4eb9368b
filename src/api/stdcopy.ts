/**
 * Docker's multiplexed stream (moby's pkg/stdcopy): each write becomes one
 * frame, an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]
 * followed by the bytes. Stream 1 is stdout, 2 stderr. Used for logs, attach
 * and exec of containers without a terminal; with one the bytes go raw.
 */
import { Writable } from "node:stream";

export const STDOUT = 1;
export const STDERR = 2;

export function frame(stream: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** A writable whose chunks reach `out` framed as `stream` (or raw with `raw`). */
export function framedWriter(out: Writable, stream: number, raw = false): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      // An empty frame would stall some demultiplexers (docker-modem's waits for its payload).
      if (out.destroyed || out.writableEnded || chunk.length === 0) return cb();
      if (out.write(raw ? chunk : frame(stream, chunk))) return cb();
      const done = () => {
        out.off("drain", done);
        out.off("close", done);
        cb();
      };
      out.on("drain", done);
      out.on("close", done);
    },
  });
}
