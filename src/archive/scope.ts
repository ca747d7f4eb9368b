/**
 * Reading files named by an untrusted archive (a `load` archive's
 * manifest.json, index.json, configs and layers) from the directory it was
 * unpacked into. Names resolve inside that directory whatever their symlinks
 * say, as moby's FollowSymlinkInScope resolves them: a link is followed
 * component by component, an absolute target starts again at the archive's
 * root and `..` never climbs above it. Only regular files are read (a link
 * to a device, a fifo or a directory is refused), opened without following
 * a last link and without blocking, and never past the size declared for
 * them.
 */
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StrataError } from "../errors.ts";

/** Links followed in one resolution before giving up (moby's maxIter). */
const MAX_LINKS = 255;

const invalid = (name: string, why: string) =>
  new StrataError("INVALID_ARGUMENT", `invalid archive: ${name}: ${why}`, { details: { entry: name } });

/** `parts` with `.` and `..` applied, never above the root. */
function clean(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return out;
}

/**
 * The path under `root` that `name` names when every symlink on the way is
 * resolved within `root`; the result may not exist. Throws after 255 links.
 */
export function followSymlinkInScope(root: string, name: string): string {
  let pending = name.split("/");
  const done: string[] = [];
  for (let links = 0; pending.length > 0; ) {
    const part = pending.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      done.pop();
      continue;
    }
    const full = join(root, ...done, part);
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw invalid(name, "too many levels of symbolic links");
    const target = readlinkSync(full);
    if (target.startsWith("/")) done.length = 0;
    pending = [...target.split("/"), ...pending];
  }
  return join(root, ...clean(done));
}

export interface ScopedFile {
  fd: number;
  size: number;
}

/**
 * Opens `name` (resolved in scope) for reading: a regular file, of exactly
 * `declaredSize` bytes when that is given, of at most `maxSize` otherwise.
 */
export function openRegular(
  root: string,
  name: string,
  limits: { declaredSize?: number; maxSize?: number } = {},
): ScopedFile {
  const path = followSymlinkInScope(root, name);
  let fd: number;
  try {
    // O_NONBLOCK: opening a fifo must not wait for a writer; O_NOFOLLOW: the path is resolved already.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalid(
      name,
      code === "ENOENT" || code === "ENOTDIR" ? "no such file in the archive" : `cannot open (${code})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new StrataError("INVALID_ARGUMENT", `invalid archive: ${name} is not a regular file`);
    if (limits.declaredSize !== undefined && st.size !== limits.declaredSize) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `invalid archive: ${name} has ${st.size} bytes, its descriptor declares ${limits.declaredSize}`,
      );
    }
    if (limits.maxSize !== undefined && st.size > limits.maxSize) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `invalid archive: ${name} is larger than ${limits.maxSize} bytes`,
      );
    }
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The whole of a small file named by the archive (JSON documents): at most `maxSize` bytes. */
export function readRegular(
  root: string,
  name: string,
  limits: { declaredSize?: number; maxSize: number },
): Buffer {
  const { fd, size } = openRegular(root, name, limits);
  try {
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** A stream of a file named by the archive, ending at its size as opened (a growing file is cut there). */
export function streamRegular(root: string, name: string, limits: { declaredSize?: number } = {}): Readable {
  const { fd, size } = openRegular(root, name, limits);
  if (size === 0) {
    closeSync(fd);
    return Readable.from([]);
  }
  return createReadStream("", { fd, start: 0, end: size - 1 });
}
