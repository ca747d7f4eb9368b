/**
 * The inflater's output buffers, reused once nothing holds them. A new 1 MiB
 * buffer per inflate left V8 to free them at its own pace: a Debian base
 * layer's pull peaked ~85 MB higher. A buffer is held by the tar reader while
 * it reads from it, and by the file queue for each piece it will write from it
 * by reference; everything else that keeps bytes past the reader copies them.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  private readonly held = new Map<ArrayBufferLike, { chunk: Buffer; holds: number }>();

  constructor(private readonly size: number) {}

  /** A buffer nothing holds, held once (by the caller that fills it and hands it on). */
  take(): Buffer {
    const chunk = this.free.pop() ?? Buffer.allocUnsafe(this.size);
    this.held.set(chunk.buffer, { chunk, holds: 1 });
    return chunk;
  }

  /** One more holder of the buffer `view` is part of (views of other buffers are not tracked). */
  hold(view: Buffer): void {
    const entry = this.held.get(view.buffer);
    if (entry) entry.holds++;
  }

  /** A holder is done with the buffer `view` is part of: the last one makes it free. */
  release(view: Buffer): void {
    const entry = this.held.get(view.buffer);
    if (!entry || --entry.holds > 0) return;
    this.held.delete(view.buffer);
    this.free.push(entry.chunk);
  }
}
