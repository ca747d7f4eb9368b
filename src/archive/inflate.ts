/**
 * gzip inflated in this process, on the libuv pool (native Inflater: ISA-L,
 * the library behind igzip), the tar's SHA-256 computed in the same pool
 * task. Through an igzip child process the event loop wrote the whole blob
 * into one pipe (~100 ms of a Debian base layer's pull in a profile) and read
 * the tar out of another 64 KB at a time, and igzip copied both again.
 * One inflate runs ahead while the tar reader takes the previous output, so
 * decompression and unpacking overlap as they did across the two processes.
 */
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { native, type PoolInflater } from "../sys/index.ts";
import { ChunkPool } from "./chunk-pool.ts";

/** Each inflate fills one buffer this size (the tar reader's chunks). */
const OUT_BYTES = 1 << 20;
/** Compressed bytes queued beyond which the input is paused. */
const BACKLOG = 4 << 20;
/** Compressed bytes handed to the inflater when it has read what it had (it holds them until read). */
const IN_BYTES = 1 << 20;

const corrupt = (cause: unknown) =>
  new StrataError("CORRUPT_LAYER", `layer does not decompress: ${(cause as Error).message}`, { cause });

/** The compressed input as the inflater takes it: queued chunks, its end, or its failure. */
class InputQueue {
  private chunks: Buffer[] = [];
  private bytes = 0;
  ended = false;
  failure?: Error;
  private wake?: () => void;

  constructor(private readonly input: Readable) {
    input.on("data", (c: Buffer) => {
      this.chunks.push(c);
      this.bytes += c.length;
      if (this.bytes > BACKLOG) input.pause();
      this.notify();
    });
    input.on("end", () => {
      this.ended = true;
      this.notify();
    });
    input.on("error", (err) => {
      this.failure ??= err;
      this.notify();
    });
  }

  /** Resolves once there is input, its end or its failure. */
  ready(): Promise<void> | undefined {
    if (this.chunks.length > 0 || this.ended || this.failure) return undefined;
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Queued chunks, about `max` bytes of them; the input flows again once the queue is short. */
  take(max: number): Buffer[] {
    let n = 0;
    let bytes = 0;
    while (n < this.chunks.length && bytes < max) bytes += this.chunks[n++].length;
    const out = this.chunks.splice(0, n);
    this.bytes -= bytes;
    if (this.bytes <= BACKLOG && this.input.isPaused() && !this.ended) this.input.resume();
    return out;
  }

  /** Whether every chunk of the input has been taken. */
  get drained(): boolean {
    return this.ended && this.chunks.length === 0;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

export interface Inflated {
  /** Each chunk is held once for the reader, which releases it to `pool` when it is done with it. */
  chunks: AsyncIterator<Buffer>;
  pool: ChunkPool;
  /** Resolves once the stream is complete; rejects with CORRUPT_LAYER, or with the input's error. */
  finished: Promise<void>;
  /** `sha256:` of the inflated bytes, once `finished` has resolved. */
  digest(): Digest;
  abort(): void;
}

export function inflate(input: Readable): Inflated {
  const inflater: PoolInflater = new (native().Inflater)();
  const queue = new InputQueue(input);
  const pool = new ChunkPool(OUT_BYTES);
  let aborted = false;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  finished.catch(() => {}); // awaited only after the tar is read

  /**
   * One inflate into a buffer nothing holds (the previous ones may still be queued for writing).
   * The inflater is given input only once it has read what it had, so it holds at most IN_BYTES.
   */
  const step = async (moreInput: boolean): Promise<[Buffer, number, number]> => {
    if (moreInput) await queue.ready();
    if (queue.failure) throw queue.failure;
    if (aborted) throw new StrataError("ABORTED", "decompression abandoned");
    const out = pool.take();
    const batch = moreInput ? queue.take(IN_BYTES) : [];
    const [written, state] = await inflater.run(batch, out, queue.drained).catch((e) => {
      throw queue.failure ?? corrupt(e);
    });
    if (written === 0) pool.release(out);
    return [out, written, state];
  };
  const start = (moreInput: boolean) => {
    const p = step(moreInput);
    p.catch(() => {}); // awaited by the loop below, or dropped after an abort
    return p;
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      let ahead = start(true);
      for (;;) {
        const [out, written, state] = await ahead;
        if (state === 2) {
          settle.resolve();
          if (written > 0) yield out.subarray(0, written);
          return;
        }
        ahead = start(state === 0);
        if (written > 0) yield out.subarray(0, written);
      }
    } catch (err) {
      settle.reject(err);
      throw err;
    }
  }

  return {
    chunks: chunks(),
    pool,
    finished,
    digest: () => `sha256:${inflater.hex()}` as Digest,
    abort: () => {
      aborted = true;
      input.destroy();
      settle.reject(new StrataError("ABORTED", "decompression abandoned"));
    },
  };
}
