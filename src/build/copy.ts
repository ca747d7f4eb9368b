/**
 * COPY and ADD, written straight into the step's mounted snapshot (no
 * container), with Docker's rules: sources are cleaned inside their root (the
 * context or another stage/image), so `../x` cannot leave it; wildcards match
 * as Go's filepath.Match; a directory's contents (not the directory) are
 * copied; the destination is a directory when it ends in `/`, when there are
 * several sources, or when it already is one; missing parents are created.
 * Files keep their mode and mtime; owners become 0:0 (or --chown) for context
 * files and stay as they were for --from sources; --chmod sets the mode.
 * ADD also unpacks local tar archives (plain, gzip, bzip2, xz) and fetches URLs.
 */
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, join, posix } from "node:path";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopySource {
  /** The path as written (for errors). */
  written: string;
  /** Absolute path on the host, already resolved inside its root. */
  abs: string;
  /** The name the copy takes when it lands in a directory. */
  name: string;
}

export interface CopyOptions {
  /** Owner for everything copied; undefined keeps the source's (--from) or uses 0:0 (context). */
  owner?: Owner;
  keepOwner: boolean;
  mode?: number;
  /** ADD: unpack local archives. */
  extract: boolean;
  /** Only these host paths are copied (the context less what .dockerignore excludes). */
  filter?: (abs: string) => boolean;
  /** Sources never unpacked (ADD of a URL). */
  noExtract?: Set<string>;
}

export function notFound(path: string): StrataError {
  return new StrataError("NOT_FOUND", `failed to compute cache key: "${path}" not found: not found`, {
    details: { build: true },
  });
}

/** Cleans `p` as if `/` were the root: `../x` → `/x` (it cannot leave the root). */
export function cleanInRoot(p: string): string {
  return posix.normalize(`/${p}`).replace(/\/+$/, "") || "/";
}

/** Follows symlinks of `rel` inside `root`, never out of it (BuildKit's scoped resolution). */
export function resolveInRoot(root: string, rel: string, followLast = true): string {
  const parts = cleanInRoot(rel).split("/").filter(Boolean);
  let current: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift() as string;
    const candidate = [...current, part];
    const abs = join(root, ...candidate);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && (parts.length > 0 || followLast)) {
      if (++hops > 255)
        throw new StrataError("INVALID_ARGUMENT", `too many levels of symbolic links: ${rel}`);
      const target = readlinkSync(abs);
      const base = target.startsWith("/") ? [] : current;
      const joined = cleanInRoot([...base, target].join("/"))
        .split("/")
        .filter(Boolean);
      parts.unshift(...joined.slice(0));
      current = [];
      continue;
    }
    current = candidate;
  }
  return join(root, ...current);
}

/** Go's filepath.Match as a RegExp (`*` and `?` never cross `/`). */
export function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) throw new StrataError("INVALID_ARGUMENT", "syntax error in pattern");
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith("^")) cls = `!${cls.slice(1)}`;
      re += cls.startsWith("!") ? `[^${cls.slice(1)}]` : `[${cls}]`;
      i = end;
    } else if (ch === "\\" && i + 1 < pattern.length) {
      re += pattern[++i]?.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export const hasWildcard = (p: string) => /[*?[]/.test(p);

function ownerOf(st: Stats, opts: CopyOptions): Owner {
  return opts.owner ?? (opts.keepOwner ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 });
}

function applyMeta(path: string, st: Stats, opts: CopyOptions): void {
  const owner = ownerOf(st, opts);
  lchownSync(path, owner.uid, owner.gid);
  if (!st.isSymbolicLink()) chmodSync(path, opts.mode ?? st.mode & 0o7777);
  lutimesSync(path, st.atime, st.mtime);
}

/** Files up to this size are copied through one buffer. */
const SMALL_FILE = 1 << 20;
const IS_ROOT = process.geteuid?.() === 0 && process.getegid?.() === 0;

/**
 * A small regular file, copied by descriptors: its owner, mode and times are
 * set on the open file, not by path (each path lookup crosses the overlay),
 * and its owner not at all when it is already right. ~40% fewer system calls
 * than copyFileSync plus lchown/chmod/lutimes, for a COPY of thousands of files.
 * `rootOwned`: the file lands in a directory this copy made with gid 0, so a
 * file root creates there is already 0:0.
 */
function copySmallFile(src: string, dst: string, st: Stats, opts: CopyOptions, rootOwned: boolean): void {
  const size = st.size;
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(src, constants.O_RDONLY | constants.O_NOFOLLOW);
  let got = 0;
  try {
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, null);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  const mode = opts.mode ?? st.mode & 0o7777;
  // O_EXCL: a name that exists (a symlink planted in the image) is never written through.
  const out = openSync(dst, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    for (let off = 0; off < got; ) off += writeSync(out, buf, off, got - off);
    const owner = ownerOf(st, opts);
    if (!(IS_ROOT && rootOwned && owner.uid === 0 && owner.gid === 0)) fchownSync(out, owner.uid, owner.gid);
    fchmodSync(out, mode);
    futimesSync(out, st.atime, st.mtime);
  } finally {
    closeSync(out);
  }
}

/** `fresh`: `dst`'s parent was made by this copy (so `dst` does not exist) with gid 0. */
function copyEntry(src: string, dst: string, opts: CopyOptions, fresh = false): void {
  if (opts.filter?.(src) === false) return;
  const st = lstatSync(src);
  const existing = fresh ? undefined : lstatSync(dst, { throwIfNoEntry: false });
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) rmSync(dst, { recursive: true, force: true });
    let made = false;
    if (!existing?.isDirectory()) {
      mkdirSync(dst);
      // A new directory inherits a set-group-ID parent's group: only a gid-0 one makes 0:0 files.
      made = lstatSync(dst).gid === 0;
    }
    for (const name of readdirSync(src)) copyEntry(join(src, name), join(dst, name), opts, made);
    applyMeta(dst, st, opts);
    return;
  }
  if (existing) rmSync(dst, { recursive: true, force: true });
  if (st.isFile() && st.size <= SMALL_FILE) {
    copySmallFile(src, dst, st, opts, fresh);
    return;
  }
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
  else if (st.isFile()) copyFileSync(src, dst);
  else return; // Sockets, devices and FIFOs are not copied from a build context.
  applyMeta(dst, st, opts);
}

/** `mkdir -p` inside the snapshot, new directories 0755 and owned by `owner`. */
export function mkdirInRoot(rootfs: string, dir: string, owner: Owner): string {
  const parts = cleanInRoot(dir).split("/").filter(Boolean);
  let rel = "";
  for (const p of parts) {
    rel = `${rel}/${p}`;
    const abs = resolveInRoot(rootfs, rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isDirectory()) continue;
    if (st) throw new StrataError("INVALID_ARGUMENT", `cannot copy to ${dir}: ${rel} is not a directory`);
    mkdirSync(abs, { mode: 0o755 });
    chmodSync(abs, 0o755);
    lchownSync(abs, owner.uid, owner.gid);
  }
  return resolveInRoot(rootfs, dir);
}

function isArchive(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, 512, 0);
    const b = head.subarray(0, n);
    if (b[0] === 0x1f && b[1] === 0x8b) return true;
    if (b.subarray(0, 3).toString("latin1") === "BZh") return true;
    if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
    return n >= 263 && b.subarray(257, 262).toString("latin1") === "ustar";
  } finally {
    closeSync(fd);
  }
}

function extract(archive: string, destDir: string, opts: CopyOptions): void {
  const args = ["-x", "-f", archive, "-C", destDir, "--no-same-permissions", "--numeric-owner"];
  const r = childProcess().spawnSync("tar", args, { encoding: "utf8" });
  if (r.status !== 0) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `failed to extract ${basename(archive)}: ${(r.stderr ?? "").trim()}`,
    );
  }
  if (opts.owner)
    childProcess().spawnSync("chown", ["-R", "-h", `${opts.owner.uid}:${opts.owner.gid}`, destDir]);
}

/**
 * Copies `sources` to `dest` (absolute in the image) inside `rootfs`.
 * `destIsDir` is Docker's rule: trailing slash or several sources.
 */
export function copyInto(
  rootfs: string,
  sources: CopySource[],
  dest: string,
  destIsDir: boolean,
  opts: CopyOptions,
): void {
  const dirOwner = opts.owner ?? { uid: 0, gid: 0 };
  const destAbs = resolveInRoot(rootfs, dest);
  const destSt = statSync(destAbs, { throwIfNoEntry: false });
  const intoDir = destIsDir || destSt?.isDirectory() === true;
  for (const src of sources) {
    const st = lstatSync(src.abs);
    if (st.isDirectory()) {
      const target = mkdirInRoot(rootfs, dest, dirOwner);
      for (const name of readdirSync(src.abs)) copyEntry(join(src.abs, name), join(target, name), opts);
      continue;
    }
    if (opts.extract && st.isFile() && !opts.noExtract?.has(src.abs) && isArchive(src.abs)) {
      extract(src.abs, mkdirInRoot(rootfs, dest, dirOwner), opts);
      continue;
    }
    if (intoDir) {
      const dir = mkdirInRoot(rootfs, dest, dirOwner);
      copyEntry(src.abs, join(dir, src.name), opts);
    } else {
      const parent = posix.dirname(cleanInRoot(dest));
      const dir = mkdirInRoot(rootfs, parent, dirOwner);
      copyEntry(src.abs, join(dir, posix.basename(cleanInRoot(dest))), opts);
    }
  }
}

/** Writes a heredoc or downloaded file as a source (mode 0644 / 0600, as BuildKit). */
export function writeSourceFile(path: string, content: Buffer | string, mode: number, mtime?: Date): void {
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  if (mtime) lutimesSync(path, mtime, mtime);
}

export { existsSync };
