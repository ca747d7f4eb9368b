/**
 * An entry's metadata, applied after its content: owner, xattrs, mode,
 * times, in moby's order: chown clears setuid/setgid (even for root) and
 * file capabilities, so the mode and the xattrs follow it. Directory times
 * wait for the end (creating children changes them).
 */
import { chmodSync, lchownSync, lutimesSync } from "node:fs";
import { native } from "../sys/index.ts";
import type { Header } from "./tar-header.ts";

const XATTR = "SCHILY.xattr.";

/**
 * Xattrs a layer may not set. overlayfs reads its private `trusted.overlay.*`
 * (and, mounted with userxattr, `user.overlay.*`) xattrs from the layer
 * directories: opaque, redirect, metacopy, origin… would let an image steer
 * the mount (redirect a directory to another path, make a file a metacopy of
 * one it does not own); strata writes `trusted.overlay.opaque` itself, from
 * `.wh..wh..opq`. `security.selinux` labels come from the engine, not the
 * image (containers/storage ignores it for the same reason).
 */
export function refusedXattr(name: string): boolean {
  return (
    name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.") || name === "security.selinux"
  );
}

/**
 * An xattr the kernel does not let this process set (EPERM: `user.*` on a
 * symlink or a device, a restricted user namespace) is skipped, as moby's
 * archive package skips it; any other failure fails the layer.
 */
function setXattr(path: string, name: string, value: Buffer): void {
  try {
    native().lsetxattr(path, name, value);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
  }
}

export class EntryMeta {
  private dirTimes: Array<[string, number]> = [];

  /** `createdWith`: the mode the entry was created with, exactly (chmod is skipped only when that is already its full mode). */
  apply(
    path: string,
    h: Header,
    pax: ReadonlyMap<string, Buffer>,
    isLink: boolean,
    createdWith?: number,
  ): void {
    // New entries are root's already.
    if (h.uid !== 0 || h.gid !== 0) lchownSync(path, h.uid, h.gid);
    for (const [key, value] of pax) {
      if (!key.startsWith(XATTR)) continue;
      const name = key.slice(XATTR.length);
      if (!refusedXattr(name)) setXattr(path, name, value);
    }
    const mode = h.mode & 0o7777;
    if (!isLink && createdWith !== mode) chmodSync(path, mode);
    if (h.type === "5") this.dirTimes.push([path, h.mtime]);
    else lutimesSync(path, h.mtime, h.mtime);
  }

  /** Whether `pax` carries xattrs (which can only be set by path here). */
  static hasXattrs(pax: ReadonlyMap<string, Buffer>): boolean {
    for (const key of pax.keys()) if (key.startsWith(XATTR)) return true;
    return false;
  }

  finish(): void {
    for (const [path, mtime] of this.dirTimes.reverse()) lutimesSync(path, mtime, mtime);
  }
}
