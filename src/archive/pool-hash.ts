/**
 * A streaming SHA-256 on the libuv pool. A pull hashes every byte twice (the
 * blob's digest and the tar's diff ID: 300 MB for a Debian base layer), which
 * on the event loop took as long as parsing the tar. Here chunks are handed
 * to the native hasher in order, a batch at a time, while the event loop
 * goes on; the caller is told to wait when too much is still unhashed, so
 * memory stays bounded whatever the layer's size.
 */
import type { Digest } from "../digest/index.ts";
import { native, type PoolSha256 } from "../sys/index.ts";

/** Unhashed bytes beyond which `update` asks the caller to wait. */
const BACKLOG = 8 << 20;
/** A pool task costs the event loop ~20 µs to start: chunks go over a MiB at a time. */
const RUN_BYTES = 1 << 20;

export class PoolHash {
  private readonly sha: PoolSha256 = new (native().Sha256)();
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Bytes handed over and not hashed yet (queued and in the running batch). */
  private backlog = 0;
  private running?: Promise<void>;
  private failure?: { error: unknown };
  private waiters: Array<() => void> = [];

  /** Takes a chunk nobody writes to again; a promise when the caller should wait for the hasher. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (chunk.length === 0) return undefined;
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
    this.backlog += chunk.length;
    if (!this.running && this.queuedBytes >= RUN_BYTES) this.next();
    return this.backlog > BACKLOG ? new Promise((resolve) => this.waiters.push(resolve)) : undefined;
  }

  /** `sha256:<hex>` of everything given, once it is all hashed. */
  async digest(): Promise<Digest> {
    for (;;) {
      while (this.running) await this.running;
      if (this.queued.length === 0 || this.failure) break;
      this.next();
    }
    if (this.failure) throw this.failure.error;
    return `sha256:${this.sha.hex()}` as Digest;
  }

  private next(): void {
    const batch = this.queued;
    const bytes = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    this.running = this.sha.run(batch).then(
      () => this.done(bytes),
      (error) => {
        this.failure = { error };
        this.done(bytes);
      },
    );
  }

  private done(bytes: number): void {
    this.backlog -= bytes;
    if (this.queuedBytes >= RUN_BYTES && !this.failure) this.next();
    else this.running = undefined;
    if (this.backlog <= BACKLOG) for (const wake of this.waiters.splice(0)) wake();
  }
}
