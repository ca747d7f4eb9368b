/**
 * Node built-ins that cost milliseconds to load (child_process pulls in net
 * and dgram; crypto a dozen modules) and that most commands never use:
 * loaded on first call instead of by a static import, so `ps` or `images`
 * do not pay for them at start-up.
 */
import { closeSync, openSync, readSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";

const load = createRequire(import.meta.filename);

export const childProcess = (): typeof import("node:child_process") => load("node:child_process");
export const crypto = (): typeof import("node:crypto") => load("node:crypto");
export const os = (): typeof import("node:os") => load("node:os");
export const tls = (): typeof import("node:tls") => load("node:tls");

/** Random bytes from the kernel without loading node:crypto (IDs and names at `create`). */
export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync("/dev/urandom", "r");
  try {
    readSync(fd, buf, 0, n, null);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** A random integer in [0, max), max ≤ 65536 (modulo bias is irrelevant for names). */
export function randomInt(max: number): number {
  return randomBytes(2).readUInt16LE(0) % max;
}

/** Removes a file that may be gone already: fs.rmSync does too, but its first call loads Node's rimraf (~1 ms). */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** node:tty loads Node's socket and stream modules: only asked for when a command needs to know. */
export const tty = (): typeof import("node:tty") => load("node:tty");
