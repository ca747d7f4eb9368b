/**
 * Leases, as containerd's (core/leases): work in progress — a create that
 * resolved an image, a build, a push — pins the resources it uses, and
 * garbage collection spares everything referenced or pinned. A lease lives
 * exactly as long as its owner: the owner holds an exclusive flock(2) on
 * `locks/leases/<id>.lock`, which the kernel drops when the process dies, so
 * a killed command leaves nothing pinned; the next collection finds the lock
 * free and deletes the lease.
 *
 *     await withLease(store, "push", async (lease) => {
 *       store.meta.transaction(() => {
 *         const image = store.meta.images.get(id);   // still there?
 *         if (image) lease.pin(imageResources(image)); // then it stays, whatever rmi does
 *       });
 *       … read the pinned layers and blobs at leisure …
 *     });
 *
 * Pin inside the transaction that checks the resource still exists: GC
 * decides in one transaction too, so either the pin comes first and GC
 * spares the resource, or GC comes first and the check sees it gone.
 */
import { join } from "node:path";
import { FileLock, type ImageRecord, type LeasedResource } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes, removeFile } from "../sys/builtins.ts";

export type { LeasedResource };

export interface Lease {
  readonly id: string;
  /** Pins resources until the lease ends; call inside the transaction that checks they exist. */
  pin(resources: readonly LeasedResource[]): void;
  /** Ends the lease: what it pinned is garbage again unless something else holds it. */
  release(): void;
}

function lockPath(store: Store, id: string): string {
  return join(store.root, "locks", "leases", `${id}.lock`);
}

/** Starts a lease owned by this process. `purpose` names the work, for diagnostics. */
export function acquireLease(store: Store, purpose: string): Lease {
  const id = randomBytes(16).toString("hex");
  const lock = new FileLock(lockPath(store, id));
  // A fresh file nobody else knows: this never waits. Held before the row exists,
  // so no collector can see the lease without its lock held.
  if (!lock.tryAcquire("exclusive")) throw new Error(`lease lock ${id} is held by another process`);
  store.meta.leases.insert({ id, purpose, pid: process.pid, createdAt: Date.now() });
  let released = false;
  return {
    id,
    pin(resources) {
      if (released) throw new Error(`lease ${id} was released`);
      store.meta.leases.pin(id, resources);
    },
    release() {
      if (released) return;
      released = true;
      store.meta.leases.delete(id);
      removeFile(lock.path);
      lock.release();
    },
  };
}

/** Runs `fn` under a new lease, released however `fn` ends. */
export async function withLease<T>(
  store: Store,
  purpose: string,
  fn: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = acquireLease(store, purpose);
  try {
    return await fn(lease);
  } finally {
    lease.release();
  }
}

/** What pinning an image means: its config, manifest and index blobs and its layers. */
export function imageResources(image: ImageRecord): LeasedResource[] {
  const out: LeasedResource[] = [{ type: "blob", key: image.id }];
  if (image.manifestDigest) out.push({ type: "blob", key: image.manifestDigest });
  if (image.indexDigest) out.push({ type: "blob", key: image.indexDigest });
  for (const chainId of image.chain) out.push({ type: "layer", key: chainId });
  return out;
}

/**
 * What live leases pin. A lease whose lock is free has lost its owner (it
 * died, or it is releasing right now): it is deleted and pins nothing. For
 * collectors, inside their transaction.
 */
export function leasedResources(store: Store): LeasedResource[] {
  const out: LeasedResource[] = [];
  for (const lease of store.meta.leases.list()) {
    const lock = new FileLock(lockPath(store, lease.id));
    if (lock.tryAcquire("exclusive")) {
      store.meta.leases.delete(lease.id);
      removeFile(lock.path);
      lock.release();
      continue;
    }
    lock.release();
    out.push(...store.meta.leases.resources(lease.id));
  }
  return out;
}
