/**
 * Tar headers (ustar, GNU, PAX), parsed without losing bytes: PAX values stay
 * Buffers, because `SCHILY.xattr.*` values are binary (security.capability)
 * and decoding them as UTF-8 corrupts them.
 */
import { StrataError } from "../errors.ts";

export const BLOCK = 512;

export interface Header {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const corrupt = (msg: string) => new StrataError("CORRUPT_LAYER", `invalid tar header: ${msg}`);

/** NUL-terminated string field. */
function str(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end < 0 || end > off + len ? off + len : end);
}

/**
 * Octal ASCII, or base-256 when the top bit of the first byte is set (GNU).
 * Leading and trailing spaces and NULs are padding. Parsed byte by byte:
 * every entry has five such fields, and this loop is in a pull's hot path.
 */
export function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    let v = b[off] & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    return b[off] & 0x40 ? -v : v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  for (; i < end; i++) {
    if (b[i] !== 0x20 && b[i] !== 0) {
      const s = b
        .toString("latin1", off, end)
        .replace(/[\0 ]+$/g, "")
        .replace(/^[ \0]+/, "");
      throw corrupt(`bad number ${JSON.stringify(s)}`);
    }
  }
  return v;
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** A block-sized scratch buffer, 4-byte aligned, that headers are copied into to be summed by words. */
const SCRATCH = new Uint8Array(BLOCK);
const WORDS = new Uint32Array(SCRATCH.buffer);

/**
 * The unsigned sum of the block's bytes with the checksum field read as spaces.
 * Summed four bytes at a time, in two 16-bit lanes of alternate bytes (126
 * words x 255 cannot overflow one), from a copy: a header may sit at any
 * offset of the chunk it came in, and every entry has a header block or two.
 */
function unsignedSum(b: Buffer): number {
  SCRATCH.set(b.subarray(0, BLOCK));
  let even = 0;
  let odd = 0;
  for (let i = 0; i < BLOCK / 4; i++) {
    if (i === 37 || i === 38) continue; // bytes 148-155, the checksum field
    const w = WORDS[i];
    even += w & 0x00ff00ff;
    odd += (w >>> 8) & 0x00ff00ff;
  }
  return 8 * 32 + (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
}

function checksumOk(b: Buffer): boolean {
  const stored = num(b, 148, 8);
  // The sum unsigned and (as old tars wrote it) signed.
  const unsigned = unsignedSum(b);
  if (stored === unsigned) return true;
  let high = 0;
  for (let i = 0; i < BLOCK; i++) if (b[i] > 127 && (i < 148 || i >= 156)) high++;
  return stored === unsigned - 256 * high;
}

export function parseHeader(b: Buffer): Header {
  if (!checksumOk(b)) throw corrupt("checksum mismatch");
  const magic = b.toString("latin1", 257, 263);
  let name = str(b, 0, 100);
  if (magic === "ustar\0") {
    const prefix = str(b, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const typeByte = b[156];
  const size = num(b, 124, 12);
  if (size < 0 || !Number.isSafeInteger(size)) throw corrupt(`bad size ${size}`);
  return {
    name,
    mode: num(b, 100, 8),
    uid: num(b, 108, 8),
    gid: num(b, 116, 8),
    size,
    mtime: num(b, 136, 12),
    type: typeByte === 0 ? "0" : String.fromCharCode(typeByte),
    linkname: str(b, 157, 100),
    devmajor: num(b, 329, 8),
    devminor: num(b, 337, 8),
  };
}

/** Each PAX record `LEN key=value\n` of `body`, in order; values as raw bytes (views of `body`). */
export function eachPax(body: Buffer, record: (key: string, value: Buffer) => void): void {
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(body.toString("latin1", pos, space));
    if (!Number.isInteger(len) || len <= 0 || pos + len > body.length) throw corrupt("bad PAX record length");
    const line = body.subarray(space + 1, pos + len - 1);
    const eq = line.indexOf(0x3d);
    if (eq < 0) throw corrupt("PAX record without '='");
    record(line.toString("utf8", 0, eq), line.subarray(eq + 1));
    pos += len;
  }
}
