/**
 * A tar stream unpacked into a directory of a container (`cp` into a
 * container, PUT /containers/{id}/archive). Each entry's parent is resolved
 * inside the container's root, so neither `..` nor a symlink the container
 * holds can lead a write outside it; the entry itself never follows a
 * symlink (an existing one is replaced). Files belong to root unless
 * `keepOwners` (cp -a).
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  constants as fsc,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeSync,
} from "node:fs";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { cleanName } from "../archive/index.ts";
import { ByteSource, padding, TarReader } from "../archive/tar-reader.ts";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";
import type { RootView } from "./root-view.ts";

export interface ExtractOptions {
  /** Keep the archive's uid/gid (cp -a); otherwise root owns what is written. */
  keepOwners?: boolean;
  /** Rename the archive's top-level entry (cp of `src` to a destination that does not exist yet). */
  rename?: { from: string; to: string };
}

function lexists(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Removes what is at `p` unless it is a directory and `keepDir`. */
function clear(p: string, keepDir: boolean): void {
  const st = lexists(p);
  if (!st) return;
  if (st.isDirectory() && keepDir) return;
  rmSync(p, { recursive: true, force: true });
}

export async function extractArchive(
  view: RootView,
  destDir: string,
  input: Readable,
  opts: ExtractOptions = {},
): Promise<void> {
  const reader = new TarReader(new ByteSource(input[Symbol.asyncIterator]()));
  const dirTimes: Array<[string, number]> = [];
  for (;;) {
    const entry = await reader.next(() => {});
    if (!entry) break;
    const h = entry.header;
    const parts = cleanName(h.name);
    const regular = h.type === "0" || h.type === "7" || h.type === "";
    const body = regular ? h.size : 0;
    const skip = async () => {
      const n = h.size + padding(h.size);
      if (n > 0) await reader.source.read(n);
    };
    if (parts.length === 0) {
      await skip();
      continue;
    }
    if (opts.rename && parts[0] === opts.rename.from) parts[0] = opts.rename.to;
    const ctrPath = posix.join(destDir, ...parts);
    const parent = view.resolve(posix.dirname(ctrPath));
    mkdirSync(parent, { recursive: true });
    const target = `${parent}/${parts[parts.length - 1]}`;
    const uid = opts.keepOwners ? h.uid : 0;
    const gid = opts.keepOwners ? h.gid : 0;
    const mode = h.mode & 0o7777;
    switch (h.type) {
      case "5": {
        clear(target, true);
        if (!lexists(target)) mkdirSync(target);
        lchownSync(target, uid, gid);
        chmodSync(target, mode);
        dirTimes.push([target, h.mtime]);
        break;
      }
      case "2":
        clear(target, false);
        symlinkSync(h.linkname, target);
        lchownSync(target, uid, gid);
        lutimesSync(target, h.mtime, h.mtime);
        break;
      case "1": {
        clear(target, false);
        const from = view.resolve(posix.join(destDir, ...cleanName(h.linkname)), { noFollowLast: true });
        linkSync(from, target);
        break;
      }
      case "3":
      case "4":
      case "6": {
        clear(target, false);
        const kind = h.type === "3" ? 0o020000 : h.type === "4" ? 0o060000 : 0o010000;
        native().mknod(target, kind | mode, h.devmajor ?? 0, h.devminor ?? 0);
        lchownSync(target, uid, gid);
        break;
      }
      case "0":
      case "7":
      case "": {
        clear(target, false);
        const fd = openSync(target, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        try {
          let left = body;
          while (left > 0) {
            const chunk = await reader.source.read(Math.min(left, 1 << 20));
            if (!chunk) throw new StrataError("INVALID_ARGUMENT", "unexpected EOF in the archive");
            writeSync(fd, chunk);
            left -= chunk.length;
          }
          fchownSync(fd, uid, gid);
          // After the chown, which clears setuid/setgid bits.
          fchmodSync(fd, mode);
          futimesSync(fd, h.mtime, h.mtime);
        } finally {
          closeSync(fd);
        }
        const pad = padding(body);
        if (pad > 0) await reader.source.read(pad);
        continue;
      }
      default:
        // PAX globals and other metadata-only entries.
        break;
    }
    await skip();
  }
  // Directory times last: writing their entries changed them.
  for (const [dir, mtime] of dirTimes.reverse()) lutimesSync(dir, mtime, mtime);
}
