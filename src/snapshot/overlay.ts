/**
 * Containers' writable layers on overlayfs. A container gets
 * `containers/<id>/{init,upper,work,merged}`: `init` holds the empty mount
 * points the runtime binds over (/etc/hosts, /proc …) so that, as with
 * Docker's `-init` layer, they never count in the container's size; `upper`
 * is the container's own layer. Mount options name lower layers through the
 * short `l/` links, relative to the store root, so 128 layers fit in a page.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { StrataError } from "../errors.ts";
import { MNT_DETACH, native } from "../sys/index.ts";

/** A mount as data: what the runtime layer hands to mount(2). */
export interface Mount {
  type: "overlay";
  source: "overlay";
  /** Options with paths relative to `cwd`. */
  options: string[];
  /** The directory the option paths are relative to. */
  cwd: string;
  /** The overlay's work dir (absolute), when a volatile mount may have used it before. */
  workdir?: string;
}

export interface ContainerLayer {
  dir: string;
  init: string;
  upper: string;
  work: string;
  merged: string;
}

const INIT_DIRS = ["proc", "sys", "dev", "dev/pts", "dev/shm", "etc"];
const INIT_FILES = ["etc/hosts", "etc/hostname", "etc/resolv.conf", "dev/console"];

export function containerLayer(root: string, id: string): ContainerLayer {
  const dir = join(root, "containers", id);
  return {
    dir,
    init: join(dir, "init"),
    upper: join(dir, "upper"),
    work: join(dir, "work"),
    merged: join(dir, "merged"),
  };
}

/** Creates the container's directories; returns the mount that stacks them on `lowerLinks` (bottom first). */
export function prepareContainerLayer(root: string, id: string, lowerLinks: string[]): Mount {
  const layer = containerLayer(root, id);
  for (const d of [layer.upper, layer.work, layer.merged]) mkdirSync(d, { recursive: true, mode: 0o755 });
  for (const d of INIT_DIRS) mkdirSync(join(layer.init, d), { recursive: true, mode: 0o755 });
  for (const f of INIT_FILES) closeSync(openSync(join(layer.init, f), "a", 0o644));
  return containerMount(root, id, lowerLinks);
}

/**
 * The container's overlay. `volatile` (a layer thrown away when its run
 * ends: `run --rm`, as Podman mounts those) skips the sync of the whole
 * upper file system that an overlay's unmount otherwise does, a journal
 * commit on the --rm path.
 */
export function containerMount(
  root: string,
  id: string,
  lowerLinks: string[],
  opts: { volatile?: boolean } = {},
): Mount {
  const layer = containerLayer(root, id);
  const rel = (p: string) => relative(root, p);
  const lowers = [rel(layer.init), ...[...lowerLinks].reverse().map((l) => `l/${l}`)];
  const options = [
    `lowerdir=${lowers.join(":")}`,
    `upperdir=${rel(layer.upper)}`,
    `workdir=${rel(layer.work)}`,
  ];
  if (existsSync("/sys/module/overlay/parameters/index")) options.unshift("index=off");
  if (opts.volatile) options.push("volatile");
  return { type: "overlay", source: "overlay", options, cwd: root, workdir: layer.work };
}

function isMounted(target: string): boolean {
  try {
    // A mount point's device differs from its parent's.
    return lstatSync(target).dev !== lstatSync(join(target, "..")).dev;
  } catch {
    return false;
  }
}

/** Whether the kernel takes overlay's `volatile` (Linux 5.10 and later); learnt at the first refusal. */
let volatileWorks = true;

/**
 * Mounts `m` on `target` unless something is mounted there already. A kernel
 * without `volatile` gets the mount without it (it only saves time).
 */
export function mount(m: Mount, target: string): void {
  if (isMounted(target)) return;
  if (m.options.includes("volatile")) {
    if (volatileWorks) {
      try {
        mountOverlay(m, target);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
        volatileWorks = false;
      }
    }
    mountOverlay({ ...m, options: m.options.filter((o) => o !== "volatile") }, target);
    return;
  }
  mountOverlay(m, target);
}

function mountOverlay(m: Mount, target: string): void {
  // A volatile mount leaves this mark, and the kernel refuses to mount the work dir again while it is
  // there ("incompat feature 'volatile'"). Its run was unmounted (or the machine rebooted), and only
  // throwaway layers are mounted volatile: the mark has nothing left to warn of.
  if (m.workdir) rmSync(join(m.workdir, "work", "incompat", "volatile"), { recursive: true, force: true });
  const data = m.options.join(",");
  if (Buffer.byteLength(data) >= 4096) {
    throw new StrataError("INVALID_ARGUMENT", `overlay mount options exceed one page (${data.length} bytes)`);
  }
  const previous = process.cwd();
  // Relative lowerdir paths are resolved against the mounting process's cwd.
  process.chdir(m.cwd);
  try {
    native().mount(m.source, target, m.type, 0, data);
  } finally {
    process.chdir(previous);
  }
}

export function unmount(target: string): void {
  if (isMounted(target)) native().umount(target, MNT_DETACH);
}

export async function removeContainerLayer(root: string, id: string): Promise<void> {
  const layer = containerLayer(root, id);
  unmount(layer.merged);
  // Synchronous: a container's own directory is small, and the thread pool's round trips cost more.
  rmSync(layer.dir, { recursive: true, force: true });
}

/**
 * Apparent bytes of a directory as Docker counts a layer: every non-directory's
 * st_size (symlinks their target length), each inode once. For the upper dir
 * this is the container's SizeRw.
 */
export function directorySize(dir: string): number {
  const seen = new Set<number>();
  let total = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(p, { bigint: false });
      if (st.isDirectory()) walk(p);
      else if (st.size > 0 && !seen.has(st.ino)) {
        if (st.nlink > 1) seen.add(st.ino);
        total += st.size;
      }
    }
  };
  walk(dir);
  return total;
}
