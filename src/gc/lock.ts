/**
 * The store's GC lock (locks/gc.lock). Collectors hold it exclusive; a
 * command holds it shared while it has content on disk that no record or
 * lease holds yet — a staged layer, a blob written before the image that
 * names it — so no collection runs in that window. Work that lasts (a
 * build's RUN step, a create's set-up) holds a lease instead (lease.ts),
 * so that rmi and prune do not wait for it.
 */
import { FileLock } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

/**
 * Runs `fn` holding the exclusive GC lock. With `tryOnly`, returns undefined
 * at once when another command holds the store.
 */
export async function withGcLock<T>(
  store: Store,
  fn: () => Promise<T>,
  opts: { tryOnly?: boolean } = {},
): Promise<T | undefined> {
  const lock = new FileLock(store.gcLockPath);
  if (opts.tryOnly) {
    if (!lock.tryAcquire("exclusive")) return undefined;
  } else {
    await lock.acquire("exclusive");
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** Runs `fn` holding the GC lock shared: between writing content and recording (or pinning) it. */
export async function withIngestLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const lock = new FileLock(store.gcLockPath);
  await lock.acquire("shared");
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
