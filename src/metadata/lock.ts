/**
 * Cross-process locks on files, with flock(2): the kernel drops them when the
 * holder dies, so a killed command never leaves a stale lock behind.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, native } from "../sys/index.ts";

export class FileLock {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  private open(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "a");
    }
    return this.fd;
  }

  /** Waits (off the event loop) for the lock; a free lock is taken at once, without a thread-pool round trip. */
  async acquire(mode: "shared" | "exclusive"): Promise<void> {
    const op = mode === "shared" ? LOCK_SH : LOCK_EX;
    if (native().flockSync(this.open(), op | LOCK_NB)) return;
    await native().flock(this.open(), op);
  }

  /** Takes the lock if nobody else holds it; returns whether it did. */
  tryAcquire(mode: "shared" | "exclusive"): boolean {
    return native().flockSync(this.open(), (mode === "shared" ? LOCK_SH : LOCK_EX) | LOCK_NB);
  }

  release(): void {
    if (this.fd === undefined) return;
    native().flockSync(this.fd, LOCK_UN);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export async function withLock<T>(
  path: string,
  mode: "shared" | "exclusive",
  fn: () => Promise<T>,
): Promise<T> {
  const lock = new FileLock(path);
  await lock.acquire(mode);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
