/**
 * A container's file system as the host can reach it, for `cp` and
 * `export`: a running (or paused) container through /proc/<pid>/root, which
 * shows its volumes, binds and tmpfs mounts as the container sees them; a
 * stopped one through its overlay, mounted for the call under the
 * container's lock, with volume and bind paths mapped to their sources.
 * Every path is resolved with every symlink kept inside the root.
 */
import { existsSync, lstatSync, type Stats, statSync } from "node:fs";
import { posix } from "node:path";
import type { ContainerRecord } from "../metadata/index.ts";
import { containerLayer, containerMount, mount, unmount } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { resolveInRoot, volumeData } from "../volume/index.ts";
import { imageLinks, withContainer } from "./lifecycle.ts";
import { isActive } from "./list.ts";

export interface RootView {
  /** The host path a container path names (symlinks followed inside the root, the last one too unless `noFollowLast`). */
  resolve(path: string, opts?: { noFollowLast?: boolean }): string;
  /** The whole root file system (for `export`): the merged overlay, without mounts. */
  rootfs: string;
  /** lstat of a resolved path; the root itself is stat'ed (/proc/<pid>/root is a magic link). */
  lstat(host: string): Stats | undefined;
}

function mountedView(rootOf: (path: string) => { root: string; rest: string }, rootfs: string): RootView {
  const top = rootOf("/").root;
  return {
    rootfs,
    lstat(host) {
      try {
        return host === top ? statSync(host) : lstatSync(host);
      } catch {
        return undefined;
      }
    },
    resolve(path, opts = {}) {
      const clean = posix.normalize(`/${path}`);
      const { root, rest } = rootOf(clean);
      if (!opts.noFollowLast) return resolveInRoot(root, rest);
      // The last component itself stays as it is (a symlink is copied as a symlink).
      const parent = resolveInRoot(root, posix.dirname(rest));
      const base = posix.basename(rest);
      return base === "" || base === "/" ? parent : `${parent}/${base}`;
    },
  };
}

/** Runs `fn` with a view of the container's files; a stopped container's layers are mounted meanwhile. */
export async function withRootView<T>(
  store: Store,
  c: ContainerRecord,
  fn: (view: RootView) => Promise<T>,
): Promise<T> {
  const layer = containerLayer(store.root, c.id);
  if (isActive(c) && c.pid > 0 && existsSync(`/proc/${c.pid}/root`)) {
    const root = `/proc/${c.pid}/root`;
    return fn(mountedView((rest) => ({ root, rest }), layer.merged));
  }
  return withContainer(store, c.id, async (now) => {
    const running = isActive(now);
    if (!running) mount(containerMount(store.root, now.id, imageLinks(store, now)), layer.merged);
    try {
      // Volumes and binds are not mounted while it is stopped: their paths go to their sources.
      const mounts = now.config.Mounts.filter((m) => m.Type !== "tmpfs").sort(
        (a, b) => b.Destination.length - a.Destination.length,
      );
      const rootOf = (path: string) => {
        for (const m of mounts) {
          if (path !== m.Destination && !path.startsWith(`${m.Destination}/`)) continue;
          const source = m.Type === "volume" ? volumeData(store.root, m.Source) : m.Source;
          return { root: source, rest: path.slice(m.Destination.length) || "/" };
        }
        return { root: layer.merged, rest: path };
      };
      return await fn(mountedView(rootOf, layer.merged));
    } finally {
      if (!running) unmount(layer.merged);
    }
  });
}
