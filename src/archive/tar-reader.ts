/**
 * A streaming tar reader that keeps every byte it reads accountable: the raw
 * header blocks (extensions included), each payload, padding and whatever
 * follows the end marker, so the tar-split can rebuild the stream exactly.
 * Bytes are handed on as views of the chunks they came in (copied only where a
 * read spans two chunks).
 */

import { StrataError } from "../errors.ts";
import type { ChunkPool } from "./chunk-pool.ts";
import type { PoolHash } from "./pool-hash.ts";
import { BLOCK, eachPax, type Header, isZeroBlock, parseHeader } from "./tar-header.ts";

export interface Entry {
  header: Header;
  /** The entry's `SCHILY.xattr.*` PAX records (global ones included), values copied; the others are in `header`. */
  pax: ReadonlyMap<string, Buffer>;
}

/** What PAX records say of an entry, or (global records) of every entry after them. */
interface PaxFields {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** `SCHILY.xattr.*` records by their whole key; the values are copies (they outlive the chunk). */
  xattrs?: Map<string, Buffer>;
}

const XATTR = "SCHILY.xattr.";
const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();

const truncated = () =>
  new StrataError("CORRUPT_LAYER", "unexpected EOF: the layer's tar stream is truncated");

/**
 * Pulls exact byte counts from an async chunk source, giving everything it
 * pulls to `hash` when there is one. When the chunks come from a `pool`
 * (they are reused), a chunk is released once the source has read the one
 * after it too: a view `read` or `take` returned stays valid that long, and
 * `pipe`'s sinks must copy or hold what they keep past their call.
 */
export class ByteSource {
  private buf: Buffer = Buffer.alloc(0);
  /** The chunk before `buf`'s, released at the next fill. */
  private prev: Buffer = Buffer.alloc(0);
  private done = false;
  total = 0;

  constructor(
    private readonly it: AsyncIterator<Buffer>,
    private readonly hash?: PoolHash,
    readonly pool?: ChunkPool,
  ) {}

  /** The next chunk as `buf` (which must be used up); false at EOF. */
  private async fill(): Promise<boolean> {
    if (this.done) return false;
    this.pool?.release(this.prev);
    this.prev = this.buf; // used up, but still naming its chunk
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const chunk = r.value as Buffer;
    this.total += chunk.length;
    this.buf = chunk;
    const behind = this.hash?.update(chunk);
    if (behind) await behind;
    return true;
  }

  /** The n bytes at `offset` ahead if they are buffered already, without reading them; else undefined. */
  peek(offset: number, n: number): Buffer | undefined {
    return offset + n <= this.buf.length ? this.buf.subarray(offset, offset + n) : undefined;
  }

  /** n bytes if they are buffered already (the fast path: no promise), else undefined. */
  take(n: number): Buffer | undefined {
    if (this.buf.length < n) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Exactly n bytes, or null at a clean EOF (nothing buffered). */
  async read(n: number): Promise<Buffer | null> {
    if (this.buf.length >= n) {
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return out;
    }
    if (this.buf.length === 0 && !(await this.fill())) return null;
    if (this.buf.length >= n) return this.read(n);
    // Across chunks: only the n bytes are copied, never the rest of the chunk.
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (this.buf.length === 0 && !(await this.fill())) throw truncated();
      const take = Math.min(n - got, this.buf.length);
      this.buf.copy(out, got, 0, take);
      this.buf = this.buf.subarray(take);
      got += take;
    }
    return out;
  }

  /**
   * Streams n bytes to `sink` in the chunks they arrive in; a sink's promise is
   * waited for (back-pressure). A promise only when it must wait: n bytes
   * already buffered go to the sink at once.
   */
  pipe(n: number, sink: (chunk: Buffer) => unknown): Promise<void> | undefined {
    if (this.buf.length >= n) {
      const wait = sink(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      return wait instanceof Promise ? wait : undefined;
    }
    return this.pipeAcross(n, sink);
  }

  private async pipeAcross(n: number, sink: (chunk: Buffer) => unknown): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw truncated();
      const take = Math.min(left, this.buf.length);
      const wait = sink(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      left -= take;
      if (wait instanceof Promise) await wait;
    }
  }

  /** Everything up to EOF (bytes after the end-of-archive marker), chunk by chunk: memory stays bounded. */
  async drain(sink: (chunk: Buffer) => void): Promise<void> {
    do {
      if (this.buf.length > 0) sink(this.buf);
      this.buf = this.buf.subarray(this.buf.length); // still names its chunk, for fill() to release
    } while (await this.fill());
  }
}

const notNumber = (key: string, raw: Buffer) =>
  new StrataError(
    "CORRUPT_LAYER",
    `invalid tar header: PAX ${key} ${JSON.stringify(raw.toString("latin1"))} is not a number`,
  );

/**
 * A PAX numeric record: sizes and ids are decimal integers, times decimal
 * seconds with an optional fraction. Anything else would desynchronise the
 * reader (size) or reach chown/utimes as NaN: the layer is corrupt.
 */
function paxNumber(key: string, raw: Buffer, time: boolean, wanted = true): number {
  const digit = (c: number) => c >= 0x30 && c <= 0x39;
  let i = time && raw[0] === 0x2d ? 1 : 0; // "-"
  const start = i;
  let v = 0;
  for (; i < raw.length && digit(raw[i]); i++) v = v * 10 + (raw[i] - 0x30);
  if (i === start) throw notNumber(key, raw);
  if (i < raw.length) {
    // Only a time goes on, with a fraction of at least one digit, read by Number() exactly as written.
    if (!time || raw[i] !== 0x2e || i + 1 === raw.length) throw notNumber(key, raw);
    for (i++; i < raw.length; i++) if (!digit(raw[i])) throw notNumber(key, raw);
    // A time only checked (atime, ctime): far below 2^53 it cannot round up to an unsafe one.
    if (!wanted && v < 2 ** 52) return 0;
    const n = Number(raw.toString("latin1"));
    if (!Number.isSafeInteger(Math.trunc(n))) throw notNumber(key, raw);
    return n;
  }
  if (!Number.isSafeInteger(v)) throw notNumber(key, raw);
  return start === 1 ? -v : v;
}

/** A PAX header's records, read into `into` (later records override earlier ones). */
function readPax(payload: Buffer, into: PaxFields): void {
  eachPax(payload, (key, raw) => {
    switch (key) {
      case "path":
        into.path = raw.toString("utf8");
        return;
      case "linkpath":
        into.linkpath = raw.toString("utf8");
        return;
      case "size":
        into.size = paxNumber(key, raw, false);
        return;
      case "uid":
      case "gid": {
        const id = paxNumber(key, raw, false);
        if (id > 0xfffffffe) throw notNumber(key, raw); // (uid_t)-1 means "unchanged" to chown
        if (key === "uid") into.uid = id;
        else into.gid = id;
        return;
      }
      case "mtime":
        into.mtime = paxNumber(key, raw, true);
        return;
      case "atime":
      case "ctime":
        paxNumber(key, raw, true, false); // checked, not applied
        return;
      default:
        if (!key.startsWith(XATTR)) return;
        into.xattrs ??= new Map();
        into.xattrs.set(key, Buffer.from(raw));
    }
  });
}

/** The entry's xattrs: the global ones, overridden by its own. */
function xattrsOf(global: PaxFields, own: PaxFields | undefined): ReadonlyMap<string, Buffer> {
  if (!own?.xattrs) return global.xattrs ?? NO_XATTRS;
  return global.xattrs ? new Map([...global.xattrs, ...own.xattrs]) : own.xattrs;
}

export const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/** PAX (x, g) and GNU long name and link (L, K) headers: they extend the entry that follows. */
const isExtension = (type: string) => type === "x" || type === "g" || type === "L" || type === "K";

/** What an entry's extension headers said so far. */
interface Extensions {
  own?: PaxFields;
  longName?: string;
  longLink?: string;
}

/** A GNU long name or link: up to its first NUL. */
function longText(payload: Buffer): string {
  const end = payload.indexOf(0);
  return payload.toString("utf8", 0, end < 0 ? payload.length : end);
}

export class TarReader {
  private readonly global: PaxFields = {};

  constructor(readonly source: ByteSource) {}

  /**
   * `next()` without a promise, when the entry's headers are all buffered
   * already (almost always: chunks are 1 MiB); undefined when they are not, and
   * then nothing was read. Its header bytes go to `onRaw` in one piece.
   */
  nextNow(onRaw: (raw: Buffer) => void): Entry | null | undefined {
    const ext: Extensions = {};
    for (let off = 0; ; ) {
      const block = this.source.peek(off, BLOCK);
      if (!block) return undefined;
      if (isZeroBlock(block)) {
        onRaw(this.source.take(off + BLOCK) as Buffer);
        return null;
      }
      const h = parseHeader(block);
      if (isExtension(h.type)) {
        const payload = this.source.peek(off + BLOCK, h.size + padding(h.size))?.subarray(0, h.size);
        if (!payload) return undefined;
        // A global header read twice (here, then by next() if a later header is not buffered) sets the same.
        this.extend(h.type, payload, ext);
        off += BLOCK + h.size + padding(h.size);
        continue;
      }
      onRaw(this.source.take(off + BLOCK) as Buffer);
      return this.finish(h, ext);
    }
  }

  /**
   * The next entry, or null at the end-of-archive marker. Every byte of its
   * headers (extensions included, and the marker) goes to `onRaw` as it is read.
   */
  async next(onRaw: (raw: Buffer) => void): Promise<Entry | null> {
    const ext: Extensions = {};
    for (;;) {
      const block = this.source.take(BLOCK) ?? (await this.source.read(BLOCK));
      if (!block) throw truncated();
      onRaw(block);
      if (isZeroBlock(block)) return null;
      const h = parseHeader(block);
      if (isExtension(h.type)) {
        const n = h.size + padding(h.size);
        const body = this.source.take(n) ?? (await this.source.read(n));
        if (!body && h.size > 0) throw truncated();
        const data = body ?? Buffer.alloc(0);
        onRaw(data);
        // Read now, while `data` is valid; records are checked as they are read.
        this.extend(h.type, data.subarray(0, h.size), ext);
        continue;
      }
      return this.finish(h, ext);
    }
  }

  /** An extension header's payload, read into what the entry's headers said so far (or the globals). */
  private extend(type: string, payload: Buffer, ext: Extensions): void {
    if (type === "x") {
      ext.own ??= {};
      readPax(payload, ext.own);
    } else if (type === "g") readPax(payload, this.global);
    else if (type === "L") ext.longName = longText(payload);
    else ext.longLink = longText(payload);
  }

  /** The entry `h` heads, its extension headers applied (the entry's own, then global ones, then GNU's). */
  private finish(h: Header, { own, longName, longLink }: Extensions): Entry {
    if (h.type === "S")
      throw new StrataError("CORRUPT_LAYER", `GNU sparse files are not supported (${h.name})`);
    const g = this.global;
    h.name = own?.path ?? g.path ?? longName ?? h.name;
    h.linkname = own?.linkpath ?? g.linkpath ?? longLink ?? h.linkname;
    h.size = own?.size ?? g.size ?? h.size;
    h.uid = own?.uid ?? g.uid ?? h.uid;
    h.gid = own?.gid ?? g.gid ?? h.gid;
    h.mtime = own?.mtime ?? g.mtime ?? h.mtime;
    return { header: h, pax: xattrsOf(g, own) };
  }
}
