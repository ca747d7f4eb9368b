/**
 * `cp` and the archive calls behind it (Docker's GET/HEAD/PUT
 * /containers/{id}/archive): a container path's stat (the fields of
 * X-Docker-Container-Path-Stat), a tar stream of a path, a tar stream
 * unpacked into a directory, and the two copies `docker cp` makes, with
 * Docker's destination rules (pkg/archive/copy.go). Paths inside the
 * container resolve within its root (root-view.ts, extract.ts).
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import {
  type BigIntStats,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { posix } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { extractArchive } from "./extract.ts";
import { type RootView, withRootView } from "./root-view.ts";

/** types.ContainerPathStat. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (type bits high, permissions low), as Docker sends them. */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  /** For a symlink, the absolute path it resolves to inside the container. */
  linkTarget: string;
}

/** Go's os.FileMode from a stat(2) mode. */
export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m |= 2 ** 31;
  if (st.isSymbolicLink()) m |= 2 ** 27;
  if (st.isBlockDevice()) m |= 2 ** 26;
  if (st.isFIFO()) m |= 2 ** 25;
  if (st.isSocket()) m |= 2 ** 24;
  if (st.mode & 0o4000) m |= 2 ** 23;
  if (st.mode & 0o2000) m |= 2 ** 22;
  if (st.isCharacterDevice()) m |= 2 ** 26 + 2 ** 21;
  if (st.mode & 0o1000) m |= 2 ** 20;
  return m >>> 0;
}

const rfc3339Nano = (st: BigIntStats) => {
  const ns = st.mtimeNs;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d+Z$/, frac ? `.${frac}Z` : "Z");
};

function lexists(p: string): Stats | undefined {
  try {
    return lstatSync(p, { bigint: false });
  } catch {
    return undefined;
  }
}

function noSuchPath(typed: string, path: string): StrataError {
  return new StrataError("NOT_FOUND", `No such container:path: ${typed}:${path}`, {
    details: { daemon: false, path },
  });
}

/** Docker cleans container paths against `/`; a trailing `/.` or `/` is meaningful and kept. */
function containerPath(path: string): string {
  const clean = posix.normalize(`/${path}`);
  if (path.endsWith("/.")) return `${clean === "/" ? "" : clean.replace(/\/$/, "")}/.`;
  if (path.endsWith("/") && clean !== "/") return `${clean.replace(/\/$/, "")}/`;
  return clean;
}

/** The container path a host path under the view's root stands for (a symlink's linkTarget). */
function inContainer(view: RootView, host: string, fallback: string): string {
  const root = view.resolve("/");
  if (host === root) return "/";
  return host.startsWith(`${root}/`) ? host.slice(root.length) : fallback;
}

function statIn(view: RootView, typed: string, path: string, follow: boolean) {
  const host = view.resolve(path, { noFollowLast: !follow });
  const st = view.lstat(host);
  if (!st) throw noSuchPath(typed, path);
  const link = st.isSymbolicLink();
  const resolved = link ? view.resolve(path) : host;
  const stat: PathStat = {
    name: posix.basename(path.replace(/\/\.?$/, "")) || "/",
    size: st.size,
    mode: goFileMode(st),
    mtime: rfc3339Nano(lstatSync(host, { bigint: true })),
    linkTarget: link ? inContainer(view, resolved, path) : "",
  };
  // Followed, `host` is the link's target already; not followed, a symlink is copied as one.
  return { host, st, stat, isDir: st.isDirectory() };
}

/** `HEAD /containers/{id}/archive`: what is at `path`. */
export function statPath(store: Store, c: ContainerRecord, typed: string, path: string): Promise<PathStat> {
  return withRootView(store, c, async (view) => statIn(view, typed, containerPath(path), false).stat);
}

/** A tar process's stdout as a stream that fails with tar's message when tar does. */
function piped(child: ChildProcessByStdio<null, Readable, Readable>): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdout.pipe(out, { end: false });
  child.on("close", (code) => {
    if (code === 0) out.end();
    else out.destroy(new StrataError("INTERNAL", `tar failed: ${stderr.trim() || `exit ${code}`}`));
  });
  child.on("error", (err) => out.destroy(err));
  return out;
}

/** GNU tar of one host path, named as its base name inside the archive. */
function tarOf(host: string, opts: { contents?: boolean } = {}): Readable {
  const args = ["--numeric-owner", "--sparse", "-cf", "-"];
  if (opts.contents) args.push("-C", host, "--", ".");
  else args.push("-C", posix.dirname(host), "--", posix.basename(host));
  return piped(spawn("tar", args, { stdio: ["ignore", "pipe", "pipe"] }));
}

/**
 * `GET /containers/{id}/archive`, `cp CONTAINER:PATH -`: a tar stream of
 * `path` (its top entry named as its base name) and its stat. A stopped
 * container's layers stay mounted until the stream ends.
 */
export function archivePath(
  store: Store,
  c: ContainerRecord,
  typed: string,
  path: string,
  opts: { followLink?: boolean } = {},
): Promise<{ stat: PathStat; stream: Readable }> {
  return new Promise((resolve, reject) => {
    withRootView(store, c, async (view) => {
      const p = containerPath(path);
      const { host, stat } = statIn(view, typed, p, opts.followLink ?? false);
      const stream = tarOf(opts.followLink ? view.resolve(p) : host);
      const ended = new Promise<void>((done) => stream.on("close", done));
      resolve({ stat, stream });
      await ended;
    }).catch(reject);
  });
}

/** `PUT /containers/{id}/archive`, `cp - CONTAINER:DIR`: unpacks a tar stream into an existing directory. */
export function putArchive(
  store: Store,
  c: ContainerRecord,
  typed: string,
  dir: string,
  input: Readable,
  opts: { keepOwners?: boolean } = {},
): Promise<void> {
  return withRootView(store, c, async (view) => {
    const p = containerPath(dir);
    const { isDir } = statIn(view, typed, p.replace(/\/\.?$/, "") || "/", true);
    if (!isDir) {
      throw new StrataError("INVALID_ARGUMENT", `extraction point is not a directory`, {
        details: { daemon: true },
      });
    }
    await extractArchive(view, p.replace(/\/\.?$/, "") || "/", input, opts);
  });
}

function runCp(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("cp", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new StrataError("INTERNAL", stderr.trim() || `cp failed (exit ${code})`)),
    );
  });
}

const plain = (message: string) => new StrataError("INVALID_ARGUMENT", message, { details: { plain: true } });
const cannotCopyDir = () => plain("cannot copy directory");
const noSuchDirectory = () => plain("no such directory");

/**
 * Where a copy of `srcIsDir` lands for a destination (pkg/archive/copy.go):
 * into an existing directory under the source's base name, over an existing
 * file, or as a new entry named as the destination. `null` for "into this
 * directory, contents only" (a source ending in `/.`).
 */
function landing(
  dest: string,
  destStat: Stats | undefined,
  srcBase: string,
  srcIsDir: boolean,
  contentsOnly: boolean,
): { dir: string; name: string } {
  if (destStat?.isDirectory()) return contentsOnly ? { dir: dest, name: "" } : { dir: dest, name: srcBase };
  if (destStat) {
    if (srcIsDir) throw cannotCopyDir();
    return { dir: posix.dirname(dest), name: posix.basename(dest) };
  }
  if (dest.endsWith("/") && !srcIsDir) throw noSuchDirectory();
  const clean = dest.replace(/\/+$/, "") || "/";
  return { dir: posix.dirname(clean), name: posix.basename(clean) };
}

/** `cp CONTAINER:SRC DEST`: files land owned by the caller, modes and times kept (Docker's CLI untar without chown). */
export function copyFromContainer(
  store: Store,
  c: ContainerRecord,
  typed: string,
  src: string,
  dest: string,
  opts: { followLink?: boolean } = {},
): Promise<void> {
  return withRootView(store, c, async (view) => {
    const p = containerPath(src);
    const { host, isDir } = statIn(view, typed, p, opts.followLink ?? false);
    const from = host;
    const contentsOnly = p.endsWith("/.");
    const where = landing(
      dest,
      lexists(dest.replace(/\/+$/, "") || "/"),
      posix.basename(p.replace(/\/\.?$/, "")),
      isDir,
      contentsOnly,
    );
    const parent = lexists(where.dir);
    if (!parent?.isDirectory()) {
      throw plain(`lstat ${where.dir}: no such file or directory`);
    }
    const target = where.name === "" ? where.dir : posix.join(where.dir, where.name);
    const preserve = "--preserve=mode,timestamps,links";
    if (isDir)
      await runCp([
        "-R",
        "-P",
        preserve,
        "-T",
        "--",
        contentsOnly ? from.replace(/\/\.$/, "") : from,
        target,
      ]);
    else await runCp(["-P", preserve, "-T", "--", from, target]);
  });
}

/** `cp SRC CONTAINER:DEST`: written as root unless `keepOwners` (cp -a). */
export function copyToContainer(
  store: Store,
  c: ContainerRecord,
  typed: string,
  src: string,
  dest: string,
  opts: { followLink?: boolean; keepOwners?: boolean } = {},
): Promise<void> {
  const srcStat = lexists(src);
  if (!srcStat) {
    throw plain(`lstat ${src}: no such file or directory`);
  }
  const follow = opts.followLink && srcStat.isSymbolicLink();
  const real = follow ? statSync(src) : srcStat;
  const contentsOnly = src.endsWith("/.") && real.isDirectory();
  const srcBase = posix.basename(src.replace(/\/\.?$/, "")) || "/";
  return withRootView(store, c, async (view) => {
    const p = containerPath(dest);
    const destHost = view.resolve(p.replace(/\/$/, "") || "/");
    const where = landing(p, view.lstat(destHost), srcBase, real.isDirectory(), contentsOnly);
    const dirHost = view.resolve(where.dir);
    if (!view.lstat(dirHost)?.isDirectory()) {
      throw new StrataError("NOT_FOUND", `Could not find the file ${where.dir} in container ${typed}`, {
        details: { daemon: true },
      });
    }
    const source = follow ? realpathSync(src) : src.replace(/\/\.$/, "");
    const stream = tarOf(source, { contents: contentsOnly });
    if (contentsOnly && where.name !== "") {
      // `SRC/.` to a new directory: it is made, then filled.
      const into = posix.join(where.dir, where.name);
      mkdirSync(`${dirHost}/${where.name}`, { mode: real.mode & 0o7777 });
      await extractArchive(view, into, stream, { keepOwners: opts.keepOwners });
      return;
    }
    const rename = contentsOnly ? undefined : { from: posix.basename(source), to: where.name };
    await extractArchive(view, where.dir, stream, { keepOwners: opts.keepOwners, rename });
  });
}

/**
 * `export`: the container's root file system (its image's layers and its
 * writable layer, without volumes or binds, as Docker's export) as a tar
 * whose entries are named without `./`.
 */
export function exportContainer(store: Store, c: ContainerRecord): Promise<Readable> {
  return new Promise((resolve, reject) => {
    withRootView(store, c, async (view) => {
      const names = readdirSync(view.rootfs).sort();
      const child = spawn("tar", ["--numeric-owner", "-C", view.rootfs, "-cf", "-", "--", ...names], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const stream = piped(child);
      const ended = new Promise<void>((done) => stream.on("close", done));
      resolve(stream);
      await ended;
    }).catch(reject);
  });
}
