/**
 * System calls Node 20 lacks, from the in-repo N-API addon (native/strata_native.cc).
 * Loaded on first use so commands that never need it do not pay for it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { StrataError } from "../errors.ts";

export interface NativeBinding {
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** null when the attribute is absent. */
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  /** false when LOCK_NB was given and another holder has the lock. */
  flockSync(fd: number, op: number): boolean;
  flock(fd: number, op: number): Promise<void>;
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  umount(target: string, flags: number): void;
  /** A new network namespace bind-mounted on `path` (an existing file), as `ip netns add` makes one. */
  pinNetns(path: string): void;
  seqpacketConnect(path: string): number;
  /** One whole packet; null at end of stream; undefined when nothing is waiting (never blocks). */
  recvPacket(fd: number, maxLength: number): Buffer | null | undefined;
  /** true when sent as one packet; false when the socket buffer is full (never blocks, no SIGPIPE). */
  sendPacket(fd: number, data: Buffer): boolean;
  /** how: SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(fd: number, how: number): void;
  /** A pipe, [read end, write end], both blocking and close-on-exec (for fs.write on the pool). */
  pipe(): [number, number];
  /** Readiness of an fd from the event loop (uv_poll); close() it before closing the fd. */
  FdWatcher: new (
    fd: number,
    callback: FdWatcherCallback,
  ) => FdWatcher;
  /** A SHA-256 computed on the libuv pool (see native/strata_native.cc). */
  Sha256: new () => PoolSha256;
  /** Writes a layer's regular files on the libuv pool, batch after batch (see native/strata_native.cc). */
  FileWriter: new () => FileWriter;
  /** gzip inflated with ISA-L on the libuv pool, its output hashed (see native/inflate.cc). */
  Inflater: new () => PoolInflater;
}

export interface PoolInflater {
  /**
   * Queues `input`, then inflates into `out` on the pool: [bytes written, 0 = more input
   * wanted | 1 = `out` is full | 2 = the stream is complete]; `end` says no input follows.
   * Rejects with the reason when the data is corrupt or ends early. Never two runs at once.
   */
  run(input: Buffer[], out: Buffer, end: boolean): Promise<[number, 0 | 1 | 2]>;
  /** The SHA-256 of everything written, in hex (ends the hash). */
  hex(): string;
}

export interface PoolSha256 {
  /** Hashes the chunks, in order, on the pool; never two runs at once. */
  run(chunks: Buffer[]): Promise<void>;
  /** The digest in hex, once every run is done (ends the hash). */
  hex(): string;
}

export interface FileWriter {
  /** Runs one batch: `ops` records (open, write, write chunks[i], close); never two at once. */
  run(ops: Buffer, chunks: Buffer[]): Promise<void>;
  /** Closes the file a failed batch left open. */
  abort(): void;
}

export type FdWatcherCallback = (error: Error | null, readable: boolean, writable: boolean) => void;

export interface FdWatcher {
  /** What to wait for; (false, false) stops waiting (and stops holding the event loop open). */
  set(readable: boolean, writable: boolean): void;
  close(): void;
}

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
export const MNT_DETACH = 2;
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

let binding: NativeBinding | undefined;

/** Walks up from this file (src/sys/ or the bundle in dist/) to the package's native build. */
export function nativeAddonPath(): string {
  const override = process.env.STRATA_NATIVE;
  if (override) return override;
  let dir = import.meta.dirname;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "native", "build", "Release", "strata_native.node");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new StrataError("INTERNAL", "strata's native addon is not built", {
    hint: "run `npm run build:native` in the strata checkout",
  });
}

export function native(): NativeBinding {
  if (!binding) {
    const require = createRequire(import.meta.filename);
    binding = require(nativeAddonPath()) as NativeBinding;
  }
  return binding;
}
