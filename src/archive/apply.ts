/**
 * Applies a layer tar into an empty directory in overlay form, as Docker's
 * overlay2 stores layers: `.wh.NAME` becomes a 0/0 character device NAME,
 * `.wh..wh..opq` becomes `trusted.overlay.opaque=y` on its directory.
 *
 * Path safety (moby's policy, checked per entry): names are cleaned and made
 * relative (a leading `/` is dropped); a name that climbs out with `..` is
 * refused; no parent of an entry may be a symlink or a non-directory of this
 * layer (so `a -> /etc` then `a/passwd` is refused, never written through);
 * a hardlink must name a non-directory inside this layer. Existing paths are
 * unlinked before they are replaced, so nothing is ever written through a link.
 */
import {
  chmodSync,
  closeSync,
  constants,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";
import { type Compression, decompress } from "./decompress.ts";
import type { Header } from "./tar-header.ts";
import { ByteSource, padding, TarReader } from "./tar-reader.ts";
import { TarSplitWriter } from "./tar-split.ts";

export interface ApplyOptions {
  compression: Compression;
  /** Digest of the bytes as given (the registry blob). */
  expectedDigest?: Digest;
  /** Digest of the uncompressed tar. */
  expectedDiffId?: Digest;
  tarSplitPath: string;
  signal?: AbortSignal;
  /** Compressed bytes read so far. */
  onProgress?: (compressedBytesRead: number) => void;
}

export interface ApplyResult {
  digest: Digest;
  compressedSize: number;
  diffId: Digest;
  /** Apparent bytes of the layer's files, hardlinks once: Docker's overlay2 DiffSize. */
  size: number;
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const WHITEOUT = ".wh.";
/** The process umask, read once: it decides whether open(2)'s mode was exact. */
const UMASK = (() => {
  const m = process.umask(0);
  process.umask(m);
  return m;
})();
const OPAQUE = ".wh..wh..opq";

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

const unsafe = (name: string, why: string) =>
  new StrataError("UNSAFE_PATH", `refusing layer entry ${JSON.stringify(name)}: ${why}`, {
    details: { entry: name },
  });

/** Cleans a tar name into path components under the root; throws on `..` escapes. */
export function cleanName(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw unsafe(name, "it climbs out of the layer");
      out.pop();
    } else out.push(part);
  }
  return out;
}

/** What a path of this layer holds, for size accounting (hardlinks share an inode key). */
class Sizes {
  private inodeOf = new Map<string, number>();
  private sizeOf = new Map<number, number>();
  private refs = new Map<number, number>();
  private next = 0;

  add(path: string, size: number): void {
    this.remove(path);
    const id = this.next++;
    this.inodeOf.set(path, id);
    this.sizeOf.set(id, size);
    this.refs.set(id, 1);
  }

  link(path: string, target: string): void {
    const id = this.inodeOf.get(target);
    this.remove(path);
    if (id === undefined) return;
    this.inodeOf.set(path, id);
    this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
  }

  remove(path: string): void {
    const id = this.inodeOf.get(path);
    if (id === undefined) return;
    this.inodeOf.delete(path);
    const left = (this.refs.get(id) ?? 1) - 1;
    if (left === 0) {
      this.refs.delete(id);
      this.sizeOf.delete(id);
    } else this.refs.set(id, left);
  }

  /** Removes every path at or below `prefix`. */
  removeTree(prefix: string): void {
    for (const p of [...this.inodeOf.keys()]) if (p === prefix || p.startsWith(`${prefix}/`)) this.remove(p);
  }

  total(): number {
    let t = 0;
    for (const s of this.sizeOf.values()) t += s;
    return t;
  }
}

class Applier {
  readonly sizes = new Sizes();
  /** Directories of this layer known safe to create entries in (relative paths). */
  private dirs = new Set<string>([""]);
  /** Every path this apply created: anything else cannot exist in the (empty) layer directory. */
  private created = new Set<string>();
  /** Regular files written from a payload record: path → record index (for shadowing). */
  private payloads = new Map<string, number>();
  private dirTimes: Array<[string, number]> = [];
  /** Whiteout devices this layer made (`.wh.NAME`): they hide lower layers only, never this one's entries. */
  private whiteouts = new Set<string>();

  constructor(
    readonly root: string,
    readonly split: TarSplitWriter,
  ) {}

  abs(rel: string): string {
    return rel === "" ? this.root : join(this.root, rel);
  }

  /** Makes sure every parent of `parts` is a real directory of this layer. */
  ensureParents(parts: string[], name: string): void {
    let rel = "";
    for (let i = 0; i < parts.length - 1; i++) {
      rel = rel ? `${rel}/${parts[i]}` : parts[i];
      if (this.dirs.has(rel)) continue;
      if (this.whiteouts.has(rel)) {
        // `.wh.d` then `d/x`: d is this layer's directory, hiding the lower layers' d.
        this.replaceWhiteoutWithDir(rel);
        continue;
      }
      const st = this.created.has(rel) ? lstatSync(this.abs(rel), { throwIfNoEntry: false }) : undefined;
      if (!st) {
        mkdirSync(this.abs(rel), { mode: 0o755 });
        this.created.add(rel);
      } else if (!st.isDirectory()) throw unsafe(name, `its parent ${rel} is not a directory of this layer`);
      this.dirs.add(rel);
    }
  }

  /** Before a path is replaced: save an earlier payload inline, drop what is there. */
  clear(rel: string, keepDir: boolean): boolean {
    if (!this.created.has(rel)) {
      this.created.add(rel);
      return false;
    }
    const st = lstatSync(this.abs(rel), { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      for (const [p, index] of this.payloads) {
        if (p.startsWith(`${rel}/`)) this.shadow(p, index);
      }
      for (const d of [...this.dirs]) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
      rmSync(this.abs(rel), { recursive: true, force: true });
      this.sizes.removeTree(rel);
      return false;
    }
    const index = this.payloads.get(rel);
    if (index !== undefined) this.shadow(rel, index);
    rmSync(this.abs(rel), { force: true });
    this.sizes.remove(rel);
    return false;
  }

  private replaceWhiteoutWithDir(rel: string): void {
    this.whiteouts.delete(rel);
    rmSync(this.abs(rel), { force: true });
    mkdirSync(this.abs(rel), { mode: 0o755 });
    this.opaque(rel);
    this.dirs.add(rel);
  }

  opaque(rel: string): void {
    native().lsetxattr(this.abs(rel), "trusted.overlay.opaque", Buffer.from("y"));
  }

  /**
   * `.wh.NAME` hides NAME of the lower layers only (OCI image-spec), wherever
   * it stands in the tar. If this layer has NAME already, NAME stays: a file
   * hides the lower one by itself, a directory is made opaque. Otherwise a
   * whiteout device; an entry of this layer arriving later replaces it.
   */
  whiteout(rel: string, h: Header): void {
    if (this.whiteouts.has(rel)) return;
    const st = this.created.has(rel) ? lstatSync(this.abs(rel), { throwIfNoEntry: false }) : undefined;
    if (st?.isDirectory()) this.opaque(rel);
    if (st) return;
    this.created.add(rel);
    this.whiteouts.add(rel);
    native().mknod(this.abs(rel), S_IFCHR, 0, 0);
    lchownSync(this.abs(rel), h.uid, h.gid);
  }

  /** A directory entry over this layer's whiteout of it: the new directory hides the lower one's content. */
  replacesWhiteout(rel: string): boolean {
    return this.whiteouts.delete(rel);
  }

  private shadow(rel: string, index: number): void {
    this.split.shadow(index, readFileSync(this.abs(rel)));
    this.payloads.delete(rel);
  }

  /**
   * Owner, xattrs, mode, times, in moby's order: chown clears setuid/setgid
   * (even for root) and file capabilities, so the mode and the xattrs follow
   * it. `createdWith`: the mode the entry was created with, exactly (chmod
   * is skipped only when that is already its full mode).
   */
  meta(rel: string, h: Header, pax: Map<string, Buffer>, isLink: boolean, createdWith?: number): void {
    const path = this.abs(rel);
    // New entries are root's already.
    if (h.uid !== 0 || h.gid !== 0) lchownSync(path, h.uid, h.gid);
    for (const [key, value] of pax) {
      if (!key.startsWith("SCHILY.xattr.")) continue;
      const name = key.slice(13);
      if (!refusedXattr(name)) native().lsetxattr(path, name, value);
    }
    const mode = h.mode & 0o7777;
    if (!isLink && createdWith !== mode) chmodSync(path, mode);
    if (h.type === "5") this.dirTimes.push([path, h.mtime]);
    else lutimesSync(path, h.mtime, h.mtime);
  }

  finish(): void {
    // Directory times last: creating children changed them.
    for (const [path, mtime] of this.dirTimes.reverse()) lutimesSync(path, mtime, mtime);
  }

  notePayload(rel: string, index: number): void {
    this.payloads.set(rel, index);
  }

  markDir(rel: string): void {
    this.dirs.add(rel);
  }
}

async function applyEntry(a: Applier, reader: TarReader, h: Header, pax: Map<string, Buffer>): Promise<void> {
  const parts = cleanName(h.name);
  const src = reader.source;
  const body = async (sink: (c: Buffer) => void) => {
    await src.pipe(h.size, sink);
    const pad = padding(h.size);
    if (pad > 0) a.split.raw((await src.read(pad)) ?? Buffer.alloc(0));
  };
  const skipBody = async () => {
    if (h.size > 0) await body((c) => a.split.raw(c));
  };
  if (parts.length === 0) {
    // The root itself ("./"): only its metadata applies.
    if (h.type === "5") a.meta("", h, pax, false);
    return skipBody();
  }
  const base = parts[parts.length - 1];
  a.ensureParents(parts, h.name);
  const parent = parts.slice(0, -1).join("/");

  if (base === OPAQUE) {
    a.opaque(parent);
    return skipBody();
  }
  if (base.startsWith(WHITEOUT)) {
    const target = parent ? `${parent}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length);
    cleanName(target);
    a.whiteout(target, h);
    return skipBody();
  }
  const rel = parts.join("/");
  const overWhiteout = a.replacesWhiteout(rel);
  switch (h.type) {
    case "5": {
      if (!a.clear(rel, true)) mkdirSync(a.abs(rel), { mode: 0o755 });
      if (overWhiteout) a.opaque(rel);
      a.markDir(rel);
      a.meta(rel, h, pax, false);
      return skipBody();
    }
    case "0":
    case "7": {
      a.clear(rel, false);
      const mode = h.mode & 0o7777;
      const fd = openSync(
        a.abs(rel),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        mode & 0o777,
      );
      try {
        if (h.size > 0) {
          const index = a.split.file(rel, h.size);
          a.notePayload(rel, index);
          await body((c) => {
            let off = 0;
            while (off < c.length) off += writeSync(fd, c, off);
          });
        }
      } finally {
        closeSync(fd);
      }
      a.sizes.add(rel, h.size);
      // open(2) gave the file `mode & 0o777` less the umask: that is its whole mode when nothing was cut.
      return a.meta(rel, h, pax, false, mode & 0o777 & ~UMASK);
    }
    case "1": {
      const target = cleanName(h.linkname);
      if (target.length === 0) throw unsafe(h.name, "it links to the layer root");
      a.ensureParents(target, h.name);
      const targetRel = target.join("/");
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(a.abs(targetRel));
      } catch {
        throw unsafe(h.name, `its hardlink target ${h.linkname} is not in this layer`);
      }
      if (st.isDirectory()) throw unsafe(h.name, "it hardlinks a directory");
      if (targetRel !== rel) {
        a.clear(rel, false);
        linkSync(a.abs(targetRel), a.abs(rel));
        a.sizes.link(rel, targetRel);
      }
      return skipBody();
    }
    case "2": {
      a.clear(rel, false);
      symlinkSync(h.linkname, a.abs(rel));
      a.sizes.add(rel, Buffer.byteLength(h.linkname));
      a.meta(rel, h, pax, true);
      return skipBody();
    }
    case "3":
    case "4":
    case "6": {
      a.clear(rel, false);
      const kind = h.type === "3" ? S_IFCHR : h.type === "4" ? S_IFBLK : S_IFIFO;
      native().mknod(a.abs(rel), kind | (h.mode & 0o7777), h.devmajor, h.devminor);
      a.meta(rel, h, pax, false);
      return skipBody();
    }
    default:
      throw new StrataError(
        "CORRUPT_LAYER",
        `unsupported tar entry type ${JSON.stringify(h.type)} for ${h.name}`,
      );
  }
}

function mismatch(
  code: "DIGEST_MISMATCH" | "DIFF_ID_MISMATCH",
  what: string,
  expected: string,
  actual: string,
) {
  return new StrataError(code, `${what} mismatch: expected ${expected}, got ${actual}`, {
    details: { expected, actual },
  });
}

export async function applyLayer(input: Readable, dir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const stream = decompress(input, opts.compression, opts.onProgress);
  const onAbort = () => stream.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const split = new TarSplitWriter(opts.tarSplitPath);
  const applier = new Applier(dir, split);
  const source = new ByteSource(stream.chunks);
  const reader = new TarReader(source);
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const entry = await reader.next((raw) => split.raw(raw));
      if (!entry) break;
      split.raw(entry.raw);
      await applyEntry(applier, reader, entry.header, entry.pax);
    }
    await source.drain((c) => split.raw(c));
    await stream.finished;
    applier.finish();
  } catch (err) {
    let failure = err;
    if (err instanceof StrataError && err.message.startsWith("unexpected EOF")) {
      // The tar ended early: if the decompressor failed, its error says why.
      await stream.finished.catch((e) => {
        failure = e;
      });
    }
    stream.abort();
    await stream.finished.catch(() => {});
    await split.close().catch(() => {});
    throw opts.signal?.aborted ? opts.signal.reason : failure;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  await split.close();
  const { digest, size: compressedSize } = await stream.input;
  const diffId = `sha256:${source.hash.digest("hex")}` as Digest;
  if (opts.expectedDigest && digest !== opts.expectedDigest) {
    throw mismatch("DIGEST_MISMATCH", "digest", opts.expectedDigest, digest);
  }
  if (opts.expectedDiffId && diffId !== opts.expectedDiffId) {
    throw mismatch("DIFF_ID_MISMATCH", "layer diff ID", opts.expectedDiffId, diffId);
  }
  return { digest, compressedSize, diffId, size: applier.sizes.total() };
}
