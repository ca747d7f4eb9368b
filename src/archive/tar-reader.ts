/**
 * A streaming tar reader that keeps every byte it reads accountable: the raw
 * header blocks (extensions included), each payload, padding and whatever
 * follows the end marker, so the tar-split can rebuild the stream exactly.
 */

import { StrataError } from "../errors.ts";
import type { ChunkPool } from "./chunk-pool.ts";
import type { PoolHash } from "./pool-hash.ts";
import { BLOCK, type Header, isZeroBlock, parseHeader, parsePax } from "./tar-header.ts";

export interface Entry {
  header: Header;
  /** PAX records in effect for this entry (global ones included). */
  pax: Map<string, Buffer>;
  /** Every byte from the first extension header to the end of this entry's own header. */
  raw: Buffer;
}

const truncated = () =>
  new StrataError("CORRUPT_LAYER", "unexpected EOF: the layer's tar stream is truncated");

/**
 * Pulls exact byte counts from an async chunk source, giving everything it
 * pulls to `hash` when there is one. When the chunks come from a `pool`
 * (they are reused), each is released once read, `read` returns copies, and
 * `pipe`'s sinks get views they must copy or hold before returning.
 */
export class ByteSource {
  private buf: Buffer = Buffer.alloc(0);
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
    this.pool?.release(this.buf);
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

  /** Exactly n bytes, or null at a clean EOF (nothing buffered). */
  async read(n: number): Promise<Buffer | null> {
    if (this.buf.length >= n) {
      const view = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return this.pool ? Buffer.from(view) : view;
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

  /** Streams n bytes to `sink` in the chunks they arrive in; a sink's promise is waited for (back-pressure). */
  async pipe(n: number, sink: (chunk: Buffer) => unknown): Promise<void> {
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

/** PAX numeric records: sizes and ids are decimal integers, times decimal seconds with an optional fraction. */
const PAX_NUMBERS: Record<string, RegExp | undefined> = {
  size: /^\d+$/,
  uid: /^\d+$/,
  gid: /^\d+$/,
  mtime: /^-?\d+(\.\d+)?$/,
  atime: /^-?\d+(\.\d+)?$/,
  ctime: /^-?\d+(\.\d+)?$/,
};

/** A non-number would desynchronise the reader (size) or reach chown/utimes as NaN: the layer is corrupt. */
function checkPaxNumbers(pax: Map<string, Buffer>): void {
  for (const [key, raw] of pax) {
    const pattern = PAX_NUMBERS[key];
    if (pattern === undefined) continue;
    const value = raw.toString("latin1");
    const n = Number(value);
    const tooBig = (key === "uid" || key === "gid") && n > 0xfffffffe; // (uid_t)-1 means "unchanged" to chown
    if (!pattern.test(value) || !Number.isSafeInteger(Math.trunc(n)) || tooBig)
      throw new StrataError(
        "CORRUPT_LAYER",
        `invalid tar header: PAX ${key} ${JSON.stringify(value)} is not a number`,
      );
  }
}

export const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

export class TarReader {
  private global = new Map<string, Buffer>();

  constructor(readonly source: ByteSource) {}

  /** The next entry, or null at the end-of-archive marker (the marker's bytes go to `onRaw`). */
  async next(onRaw: (raw: Buffer) => void): Promise<Entry | null> {
    const raws: Buffer[] = [];
    let pax = new Map<string, Buffer>();
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const block = await this.source.read(BLOCK);
      if (!block) throw truncated();
      if (isZeroBlock(block)) {
        onRaw(Buffer.concat([...raws, block]));
        return null;
      }
      raws.push(block); // a copy, or a view of a chunk the source never reuses
      const h = parseHeader(block);
      if (h.type === "x" || h.type === "g" || h.type === "L" || h.type === "K") {
        const body = await this.source.read(h.size + padding(h.size));
        if (!body && h.size > 0) throw truncated();
        const data = body ?? Buffer.alloc(0);
        raws.push(data);
        const payload = data.subarray(0, h.size);
        if (h.type === "x")
          pax = pax.size === 0 ? parsePax(payload) : new Map([...pax, ...parsePax(payload)]);
        else if (h.type === "g") this.global = new Map([...this.global, ...parsePax(payload)]);
        else {
          const end = payload.indexOf(0);
          const value = payload.toString("utf8", 0, end < 0 ? payload.length : end);
          if (h.type === "L") longName = value;
          else longLink = value;
        }
        continue;
      }
      if (h.type === "S")
        throw new StrataError("CORRUPT_LAYER", `GNU sparse files are not supported (${h.name})`);
      const all = this.global.size === 0 ? pax : new Map([...this.global, ...pax]);
      const text = (k: string) => all.get(k)?.toString("utf8");
      h.name = text("path") ?? longName ?? h.name;
      h.linkname = text("linkpath") ?? longLink ?? h.linkname;
      checkPaxNumbers(all);
      if (all.has("size")) h.size = Number(text("size"));
      if (all.has("uid")) h.uid = Number(text("uid"));
      if (all.has("gid")) h.gid = Number(text("gid"));
      if (all.has("mtime")) h.mtime = Number(text("mtime"));
      return { header: h, pax: all, raw: raws.length === 1 ? raws[0] : Buffer.concat(raws) };
    }
  }
}
