/**
 * The tar-split: everything of a layer's tar except file contents, so the
 * exact original tar (same diff ID) can be rebuilt from the unpacked layer.
 * A gzip'd sequence of records:
 *   R <u32 len> <bytes>            raw bytes (headers, padding, end marker, trailer)
 *   F <u32 len> <path> <u64 size>  a payload to read back from <layer>/<path>
 *   S <u32 index> <u32 len> <bytes> the payload of F record #index, saved inline because a
 *                                   later entry of the same layer replaced that file
 */
import type { ChildProcess } from "node:child_process";
import {
  closeSync,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  write,
  writeFileSync,
} from "node:fs";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import { native } from "../sys/index.ts";

const IGZIP = "/usr/bin/igzip";

/** A gzip'd file being written: `input` takes the bytes, `done` resolves once they are all on disk. */
interface GzipSink {
  /** `written` is called once the sink no longer needs `bytes` (never, for a stream that keeps them). */
  input: { write(bytes: Buffer, written?: () => void): unknown; end(): unknown };
  done: Promise<void>;
}

/**
 * The tar-split of a 20,000-file layer is ~36 MB of headers: zlib's level 1
 * spent ~250 ms of CPU on it during a pull, igzip (ISA-L, when installed, as
 * for decompression) a fraction of that, in its own process. Its input is a
 * blocking pipe written with fs.write on the libuv pool: through the pipe Node
 * gives a child, those 36 MB went 64 KB a wakeup on the event loop, ~25 ms of
 * the main thread per such layer.
 */
function gzipTo(path: string): GzipSink {
  if (existsSync(IGZIP) && process.env.STRATA_NO_IGZIP !== "1") {
    const out = openSync(path, "w");
    const [readEnd, writeEnd] = native().pipe();
    let child: ChildProcess;
    try {
      child = childProcess().spawn(IGZIP, ["-1", "-c"], { stdio: [readEnd, out, "ignore"] });
    } catch (err) {
      closeSync(writeEnd);
      throw err;
    } finally {
      closeSync(readEnd);
      closeSync(out);
    }
    const exited = new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) =>
        code === 0
          ? resolve()
          : reject(new StrataError("STORE_CORRUPT", `igzip failed writing ${path}: ${code ?? signal}`)),
      );
    });
    exited.catch(() => {}); // awaited through `done`
    const { input, closed } = poolSink(writeEnd);
    return { input, done: closed.then(() => exited) };
  }
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  return { input: gzip, done };
}

/**
 * Writes to a blocking fd on the libuv pool, batch after batch in order; `closed` resolves once
 * `end()` was called and every batch is written, and the fd is closed. A failed write (the
 * reader gone) is not reported here: the reader's exit status says why.
 */
function poolSink(fd: number): { input: GzipSink["input"]; closed: Promise<void> } {
  let writing = Promise.resolve();
  let ended!: () => void;
  const closed = new Promise<void>((resolve) => {
    ended = resolve;
  })
    .then(() => writing)
    .finally(() => closeSync(fd));
  const input = {
    write: (bytes: Buffer, written?: () => void) => {
      writing = writing
        .then(() => writeAll(fd, bytes))
        .then(written)
        .catch(() => {});
    },
    end: () => ended(),
  };
  return { input, closed };
}

/** Writes all of `bytes` to `fd` on the libuv pool. */
async function writeAll(fd: number, bytes: Buffer): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    off += await new Promise<number>((resolve, reject) =>
      write(fd, bytes, off, bytes.length - off, null, (err, n) => (err ? reject(err) : resolve(n))),
    );
  }
}

export type SplitRecord =
  | { kind: "R"; bytes: Buffer }
  | { kind: "F"; path: string; size: number; inline?: Buffer };

/** Records are written into 1 MiB batches, each compressed in one go: one zlib call per record made small-file layers 5× slower. */
const BATCH = 1 << 20;
/**
 * Until igzip runs, records wait in memory: a tar-split under 4 MB (a build's
 * COPY of a few thousand files) is compressed in-process at close (~5 ms),
 * where forking igzip from a large Node process cost ~20–40 ms of the main thread.
 */
const IN_PROCESS = 4 << 20;

export class TarSplitWriter {
  /** Opened once 4 MB of records are batched: a smaller tar-split is compressed in-process at close. */
  private sink?: GzipSink;
  /** The batch being filled, records encoded in place (no buffer per record). */
  private batch: Buffer = Buffer.allocUnsafe(BATCH);
  private pos = 0;
  /** Where the R record being appended to starts in `batch`, or -1. */
  private rawAt = -1;
  private files = 0;
  /** Batch buffers the sink is done with. */
  private readonly free: Buffer[] = [];

  constructor(private readonly path: string) {}

  /** Bytes kept as they are: copied at once (callers pass views of chunks that are reused). */
  raw(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.rawAt < 0 || this.pos + bytes.length > this.batch.length) {
      // A run of raw bytes larger than the batch room goes on in a new record (a long trailer, a big body).
      this.endRaw();
      this.room(5 + bytes.length);
      this.rawAt = this.pos;
      this.batch[this.pos] = 0x52; // "R"
      this.pos += 5;
    }
    this.batch.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Closes the R record being appended to: its length is known now. */
  private endRaw(): void {
    if (this.rawAt < 0) return;
    this.batch.writeUInt32BE(this.pos - this.rawAt - 5, this.rawAt + 1);
    this.rawAt = -1;
    this.flushIfFull();
  }

  /**
   * The batch has room for `n` more bytes: what it holds is sent first once
   * igzip runs (or would run); before that, and for a record larger than a
   * batch, it grows.
   */
  private room(n: number): void {
    if (this.pos + n <= this.batch.length) return;
    if (this.sink || this.pos + n > IN_PROCESS) this.flushBatch();
    if (this.pos + n <= this.batch.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.batch.length * 2, this.pos + n));
    this.batch.copy(bigger, 0, 0, this.pos);
    this.batch = bigger;
  }

  private flushIfFull(): void {
    if (this.pos >= (this.sink ? BATCH : IN_PROCESS)) this.flushBatch();
  }

  private flushBatch(): void {
    if (this.pos === 0) return;
    if (!this.sink) {
      this.sink = gzipTo(this.path);
      this.sink.done.catch(() => {}); // awaited by close()
    }
    // The sink holds the bytes until they are written; then the buffer takes a later batch
    // (a new 1 MiB buffer per batch made V8 collect for its external memory: ~15 ms a layer).
    const sent = this.batch;
    this.sink.input.write(sent.subarray(0, this.pos), () => this.free.push(sent));
    this.batch = this.free.pop() ?? Buffer.allocUnsafe(BATCH);
    this.pos = 0;
  }

  /** Records a payload read back from the layer; returns its index for `shadow`. */
  file(path: string, size: number): number {
    this.endRaw();
    this.room(13 + Buffer.byteLength(path));
    const b = this.batch;
    b[this.pos] = 0x46; // "F"
    const len = b.write(path, this.pos + 5, "utf8");
    b.writeUInt32BE(len, this.pos + 1);
    // u64 big-endian; sizes are safe integers (< 2^53).
    b.writeUInt32BE(Math.floor(size / 0x100000000), this.pos + 5 + len);
    b.writeUInt32BE(size >>> 0, this.pos + 9 + len);
    this.pos += 13 + len;
    this.flushIfFull();
    return this.files++;
  }

  shadow(index: number, bytes: Buffer): void {
    this.endRaw();
    this.room(9 + bytes.length);
    this.batch[this.pos] = 0x53; // "S"
    this.batch.writeUInt32BE(index, this.pos + 1);
    this.batch.writeUInt32BE(bytes.length, this.pos + 5);
    this.batch.set(bytes, this.pos + 9);
    this.pos += 9 + bytes.length;
    this.flushIfFull();
  }

  async close(): Promise<void> {
    this.endRaw();
    if (!this.sink) {
      // A small layer's records: compressing them here costs less than starting igzip.
      writeFileSync(this.path, gzipSync(this.batch.subarray(0, this.pos), { level: 1 }));
      this.pos = 0;
      return;
    }
    this.flushBatch();
    this.sink.input.end();
    await this.sink.done;
  }
}

const corrupt = (path: string) => new StrataError("STORE_CORRUPT", `tar-split ${path} is corrupt`);

export function readTarSplit(path: string): SplitRecord[] {
  let data: Buffer;
  try {
    data = gunzipSync(readFileSync(path));
  } catch (cause) {
    throw new StrataError("STORE_CORRUPT", `cannot read tar-split ${path}`, { cause });
  }
  const records: SplitRecord[] = [];
  const files: Array<{ kind: "F"; path: string; size: number; inline?: Buffer }> = [];
  let pos = 0;
  while (pos < data.length) {
    const kind = String.fromCharCode(data[pos]);
    if (kind === "R") {
      const len = data.readUInt32BE(pos + 1);
      records.push({ kind: "R", bytes: data.subarray(pos + 5, pos + 5 + len) });
      pos += 5 + len;
    } else if (kind === "F") {
      const len = data.readUInt32BE(pos + 1);
      const rec = {
        kind: "F" as const,
        path: data.toString("utf8", pos + 5, pos + 5 + len),
        size: Number(data.readBigUInt64BE(pos + 5 + len)),
      };
      records.push(rec);
      files.push(rec);
      pos += 13 + len;
    } else if (kind === "S") {
      const index = data.readUInt32BE(pos + 1);
      const len = data.readUInt32BE(pos + 5);
      if (!files[index]) throw corrupt(path);
      files[index].inline = data.subarray(pos + 9, pos + 9 + len);
      pos += 9 + len;
    } else {
      throw corrupt(path);
    }
  }
  return records;
}

/** Bytes the re-emitted tar will have, without reading the layer's files. */
export function emittedSize(path: string): number {
  return readTarSplit(path).reduce((n, r) => n + (r.kind === "R" ? r.bytes.length : r.size), 0);
}
