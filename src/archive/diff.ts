/**
 * A container's writable layer (an overlayfs upper directory) as an OCI
 * layer tar, converted as moby's overlay2 driver does (archive's overlay
 * whiteout converter): a 0/0 character device becomes an empty regular file
 * `.wh.NAME` (mode 0600, the device's owner and time), and a directory with
 * `trusted.overlay.opaque=y` is followed by an empty `DIR/.wh..wh..opq`
 * (the directory's permissions and owner). overlayfs' own `trusted.overlay.*`
 * attributes never reach the tar; every other xattr does, as a binary-exact
 * `SCHILY.xattr.*` PAX record.
 *
 * Order is deterministic: names sorted bytewise, each directory before its
 * contents (Go's filepath.Walk, which moby uses). The upper root itself is
 * not an entry. Nothing follows a symlink; files are read in chunks as the
 * consumer asks for them, so memory stays flat whatever the layer holds.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  promises as fsp,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";
import { TAR_END, type TarEntry, tarEntryHeader, tarPadding } from "./tar-writer.ts";

const CHUNK = 1 << 20;
const SMALL_FILE = 64 << 10;
const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";
const OVERLAY_XATTR = "trusted.overlay.";
/** Upper-dir forms whose meaning lives in lower layers: a plain tar of them would be wrong. */
const UNSUPPORTED_XATTRS = ["trusted.overlay.redirect", "trusted.overlay.metacopy"];

/** glibc's major()/minor() of a dev_t. */
function devNumbers(rdev: bigint): { devmajor: number; devminor: number } {
  return {
    devmajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devminor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

/** Whole seconds, rounded down as Go's Time.Truncate(time.Second) then Unix() does. */
function seconds(st: BigIntStats): number {
  const ns = st.mtimeNs;
  const s = ns / 1_000_000_000n;
  return Number(ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s);
}

/** The xattrs that belong in the tar, and whether overlayfs marked the directory opaque. */
function readXattrs(path: string): { pax: Map<string, Buffer>; opaque: boolean } {
  const pax = new Map<string, Buffer>();
  let opaque = false;
  for (const name of native().llistxattr(path)) {
    if (UNSUPPORTED_XATTRS.includes(name)) {
      throw new StrataError(
        "INTERNAL",
        `cannot archive ${path}: it carries ${name} (overlayfs redirect_dir/metacopy), whose data lives in a lower layer`,
      );
    }
    const value = native().lgetxattr(path, name);
    if (value === null) continue;
    if (name.startsWith(OVERLAY_XATTR)) {
      if (name === "trusted.overlay.opaque" && value.length === 1 && value[0] === 0x79) opaque = true;
      continue;
    }
    pax.set(`SCHILY.xattr.${name}`, value);
  }
  return { pax, opaque };
}

/** A file that changed size while it was read: the layer would not match its header. */
function changedSize(path: string): StrataError {
  return new StrataError("CONFLICT", `${path} changed size while its layer was being archived`, {
    hint: "pause or stop the container before committing it",
  });
}

/**
 * A small file in one synchronous read: a layer of thousands of small files
 * (a build's COPY) otherwise pays four thread-pool round trips per file.
 */
function smallFileBody(path: string, size: number): Buffer[] {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > size) break;
    }
    if (got !== size) throw changedSize(path);
    return [buf.subarray(0, size), tarPadding(size)];
  } finally {
    closeSync(fd);
  }
}

/** A large file's body, read asynchronously in chunks by the consumer of the walk. */
interface LargeBody {
  path: string;
  size: number;
}

/** Exactly `size` bytes of a large regular file, in chunks, then its padding; a file that changed size is an error. */
async function* largeFileBody(path: string, size: number): AsyncGenerator<Buffer> {
  // fs.promises, not node:fs/promises: that one loads with the module (~1 ms), for every pull.
  const fh = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    const { bytesRead: extra } = await fh.read(Buffer.alloc(1), 0, 1, null);
    if (left !== 0 || extra !== 0) throw changedSize(path);
  } finally {
    await fh.close();
  }
  yield tarPadding(size);
}

export interface UpperTarOptions {
  /** SOURCE_DATE_EPOCH: no entry's mtime is later than this (seconds). */
  clampMtime?: number;
  /**
   * Called after a regular file's header and before its `size` body bytes
   * (then its padding): lets a caller that keeps the directory as the layer
   * record a tar-split without unpacking the tar again.
   */
  onFile?: (tarName: string, size: number) => void;
}

/**
 * The walk itself is synchronous (a generator of ready chunks, and of large
 * files to be read by the caller): a layer of thousands of small files then
 * costs no promise per chunk. It also adds up the layer's size as
 * directorySize counts it.
 */
class UpperWalker {
  /** Inode → first tar name, so later names of a hardlinked file become link entries. */
  private readonly seen = new Map<bigint, string>();
  private readonly counted = new Set<bigint>();
  /** Apparent bytes so far: every non-directory's st_size, each inode once (directorySize's rule). */
  size = 0;

  constructor(private readonly opts: UpperTarOptions = {}) {}

  *dir(abs: string, rel: string): Generator<Buffer | LargeBody> {
    for (const raw of readdirSync(abs, { encoding: "buffer" }).sort(Buffer.compare)) {
      const name = raw.toString("utf8");
      // Layer tars and records carry names as UTF-8 strings: refuse what would silently change.
      if (!Buffer.from(name).equals(raw)) {
        throw new StrataError(
          "UNSAFE_PATH",
          `cannot archive ${join(abs, name)}: its name is not valid UTF-8`,
        );
      }
      const path = join(abs, name);
      // A running container may delete a file between readdir and lstat: it is simply not there.
      const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
      if (st) yield* this.entry(path, rel ? `${rel}/${name}` : name, rel, name, st);
    }
  }

  private count(st: BigIntStats): void {
    if (st.size === 0n || this.counted.has(st.ino)) return;
    if (st.nlink > 1n) this.counted.add(st.ino);
    this.size += Number(st.size);
  }

  private *entry(
    path: string,
    tarName: string,
    parent: string,
    base: string,
    st: BigIntStats,
  ): Generator<Buffer | LargeBody> {
    const clamp = this.opts.clampMtime;
    const mtime = clamp === undefined ? seconds(st) : Math.min(seconds(st), clamp);
    const common = { uid: Number(st.uid), gid: Number(st.gid), mtime };
    if (!st.isDirectory()) this.count(st);
    if (st.isCharacterDevice() && st.rdev === 0n) {
      const name = parent ? `${parent}/${WHITEOUT}${base}` : `${WHITEOUT}${base}`;
      yield tarEntryHeader({ ...common, name, type: "0", mode: 0o600, size: 0 });
      return;
    }
    if (st.isSocket()) return; // As moby: sockets are not archived.
    const { pax, opaque } = readXattrs(path);
    const mode = Number(st.mode & 0o7777n);
    const e: TarEntry = { ...common, name: tarName, type: "0", mode, size: 0, pax };
    if (st.isDirectory()) {
      yield tarEntryHeader({ ...e, name: `${tarName}/`, type: "5" });
      if (opaque) {
        yield tarEntryHeader({ ...common, name: `${tarName}/${OPAQUE}`, type: "0", mode, size: 0, mtime: 0 });
      }
      yield* this.dir(path, tarName);
      return;
    }
    if (st.nlink > 1n) {
      const first = this.seen.get(st.ino);
      if (first !== undefined) {
        yield tarEntryHeader({ ...e, type: "1", linkname: first });
        return;
      }
      this.seen.set(st.ino, tarName);
    }
    if (st.isFile()) {
      const size = Number(st.size);
      yield tarEntryHeader({ ...e, size });
      this.opts.onFile?.(tarName, size);
      if (size <= SMALL_FILE) yield* smallFileBody(path, size);
      else yield { path, size };
    } else if (st.isSymbolicLink()) {
      yield tarEntryHeader({ ...e, type: "2", linkname: readlinkSync(path) });
    } else if (st.isFIFO()) {
      yield tarEntryHeader({ ...e, type: "6" });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      yield tarEntryHeader({ ...e, type: st.isCharacterDevice() ? "3" : "4", ...devNumbers(st.rdev) });
    }
  }
}

export async function* upperTarChunks(upperDir: string, opts: UpperTarOptions = {}): AsyncGenerator<Buffer> {
  for (const piece of new UpperWalker(opts).dir(upperDir, "")) {
    if (Buffer.isBuffer(piece)) yield piece;
    else yield* largeFileBody(piece.path, piece.size);
  }
  yield TAR_END;
}

/**
 * The bytes upperTarChunks streams, handed to `write` as they are made
 * (awaiting only large files' reads); returns the layer's apparent size, as
 * directorySize would count it, without a second walk.
 */
export async function writeUpperTar(
  upperDir: string,
  write: (chunk: Buffer) => void,
  opts: UpperTarOptions = {},
): Promise<{ size: number }> {
  const walker = new UpperWalker(opts);
  for (const piece of walker.dir(upperDir, "")) {
    if (Buffer.isBuffer(piece)) write(piece);
    else for await (const chunk of largeFileBody(piece.path, piece.size)) write(chunk);
  }
  write(TAR_END);
  return { size: walker.size };
}

/** Streams the uncompressed OCI layer tar of an overlayfs upper directory (see above). */
export function tarUpperDir(upperDir: string, opts: UpperTarOptions = {}): Readable {
  return Readable.from(upperTarChunks(upperDir, opts), { objectMode: false });
}
