/**
 * A layer's regular files, written off the event loop. Unpacking a layer of
 * 20,000 small files is mostly open/write/fchown/futimens/close: made
 * synchronously they kept the event loop from reading and hashing the next
 * entries. Queued here instead, they run in tar order on the libuv pool
 * (native FileWriter), one batch while the next one fills. The writer
 * `flush()`es before it looks at or replaces anything this layer wrote
 * (a path written twice, a hardlink, a whiteout), so it never sees a file
 * that is still queued.
 */
import { type FileWriter, native } from "../sys/index.ts";
import type { ChunkPool } from "./chunk-pool.ts";

/** A batch goes to the pool once it holds this many files or bytes (two batches in memory at most). */
const BATCH_FILES = 512;
const BATCH_BYTES = 1 << 20;
/** Pieces up to this size are copied into the ops buffer; larger ones are passed by reference. */
const COPY_MAX = 8 << 10;

export interface FileMeta {
  uid: number;
  gid: number;
  /** The mode to set after the owner, or -1 when open(2) gave the file its whole mode already. */
  chmod: number;
  mtime: number;
}

export class FileQueue {
  private writer?: FileWriter;
  /** The batch being filled: records in `ops` (see native/strata_native.cc), large pieces in `chunks`. */
  private ops: Buffer = Buffer.allocUnsafe(BATCH_BYTES + (64 << 10));
  private pos = 0;
  /** The buffer of the batch in flight (free again once it is done). */
  private spare?: Buffer;
  private chunks: Buffer[] = [];
  private files = 0;
  private bytes = 0;
  private running?: Promise<void>;
  private failure?: { error: unknown };

  /** Pieces passed by reference are held in `pool` (when they come from one) until they are written. */
  constructor(private readonly pool?: ChunkPool) {}

  /** Whether anything is queued or being written. */
  get busy(): boolean {
    return this.pos > 0 || this.running !== undefined;
  }

  /** Whether `open` can take this path (a longer one cannot exist: the caller writes it itself and gets the error). */
  static fits(path: string): boolean {
    return Buffer.byteLength(path) <= 4096;
  }

  open(path: string, mode: number): void {
    this.room(3 + 4096 + 4);
    const o = this.ops;
    o[this.pos] = 0;
    const len = o.write(path, this.pos + 3, "utf8");
    o.writeUInt16LE(len, this.pos + 1);
    o.writeUInt32LE(mode, this.pos + 3 + len);
    this.pos += 3 + len + 4;
  }

  /** Queues a piece of the current file; a promise when the caller must wait for room. */
  data(chunk: Buffer): Promise<void> | undefined {
    if (chunk.length <= COPY_MAX) {
      this.room(5 + chunk.length);
      this.ops[this.pos] = 1;
      this.ops.writeUInt32LE(chunk.length, this.pos + 1);
      this.ops.set(chunk, this.pos + 5);
      this.pos += 5 + chunk.length;
    } else {
      this.room(5);
      this.ops[this.pos] = 3;
      this.ops.writeUInt32LE(this.chunks.length, this.pos + 1);
      this.pos += 5;
      this.chunks.push(chunk);
      this.pool?.hold(chunk);
    }
    this.bytes += chunk.length;
    return this.bytes >= BATCH_BYTES ? this.submit() : undefined;
  }

  /** Ends the current file; a promise when the caller must wait for room. */
  close(meta: FileMeta): Promise<void> | undefined {
    this.room(21);
    const o = this.ops;
    o[this.pos] = 2;
    o.writeUInt32LE(meta.uid, this.pos + 1);
    o.writeUInt32LE(meta.gid, this.pos + 5);
    o.writeInt32LE(meta.chmod, this.pos + 9);
    o.writeDoubleLE(meta.mtime, this.pos + 13);
    this.pos += 21;
    this.files++;
    return this.files >= BATCH_FILES || this.bytes >= BATCH_BYTES ? this.submit() : undefined;
  }

  /** Everything queued is on disk (or its error is thrown). */
  async flush(): Promise<void> {
    if (this.pos > 0) await this.submit();
    await this.wait();
  }

  /** After a failure: waits for the batch in flight, drops the rest, closes any open file. */
  async abandon(): Promise<void> {
    this.pos = 0;
    this.chunks = [];
    await this.running;
    this.writer?.abort();
  }

  /** The ops buffer has `n` more bytes (it only grows while a batch is in flight and cannot be sent). */
  private room(n: number): void {
    if (this.pos + n <= this.ops.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.ops.length * 2, this.pos + n));
    this.ops.copy(bigger, 0, 0, this.pos);
    this.ops = bigger;
  }

  /** Waits for the batch in flight, then starts the queued one. */
  private async submit(): Promise<void> {
    await this.wait();
    const ops = this.ops.subarray(0, this.pos);
    const chunks = this.chunks;
    // The batch keeps its buffer until it is done; the next one fills the one the batch before used.
    const sent = this.ops;
    this.ops = this.spare ?? Buffer.allocUnsafe(sent.length);
    this.spare = sent;
    this.pos = 0;
    this.chunks = [];
    this.files = 0;
    this.bytes = 0;
    this.writer ??= new (native().FileWriter)();
    const written = () => {
      this.running = undefined;
      if (this.pool) for (const c of chunks) this.pool.release(c);
    };
    this.running = this.writer.run(ops, chunks).then(written, (error) => {
      written();
      this.failure = { error };
    });
  }

  private async wait(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure.error;
  }
}
