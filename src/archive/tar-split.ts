/**
 * The tar-split: everything of a layer's tar except file contents, so the
 * exact original tar (same diff ID) can be rebuilt from the unpacked layer.
 * A gzip'd sequence of records:
 *   R <u32 len> <bytes>            raw bytes (headers, padding, end marker, trailer)
 *   F <u32 len> <path> <u64 size>  a payload to read back from <layer>/<path>
 *   S <u32 index> <u32 len> <bytes> the payload of F record #index, saved inline because a
 *                                   later entry of the same layer replaced that file
 */
import { spawn } from "node:child_process";
import { closeSync, createWriteStream, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";
import { StrataError } from "../errors.ts";

const IGZIP = "/usr/bin/igzip";

/** A gzip'd file being written: `input` takes the bytes, `done` resolves once they are all on disk. */
interface GzipSink {
  input: Writable;
  done: Promise<void>;
}

/**
 * The tar-split of a 20,000-file layer is ~36 MB of headers: zlib's level 1
 * spent ~250 ms of CPU on it during a pull, igzip (ISA-L, when installed, as
 * for decompression) a fraction of that, in its own process.
 */
function gzipTo(path: string): GzipSink {
  if (existsSync(IGZIP) && process.env.STRATA_NO_IGZIP !== "1") {
    const fd = openSync(path, "w");
    const child = spawn(IGZIP, ["-1", "-c"], { stdio: ["pipe", fd, "ignore"] });
    closeSync(fd);
    const input = child.stdin!;
    input.on("error", () => {}); // a failed igzip shows up as its exit status
    const done = new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) =>
        code === 0
          ? resolve()
          : reject(new StrataError("STORE_CORRUPT", `igzip failed writing ${path}: ${code ?? signal}`)),
      );
    });
    return { input, done };
  }
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  return { input: gzip, done };
}

export type SplitRecord =
  | { kind: "R"; bytes: Buffer }
  | { kind: "F"; path: string; size: number; inline?: Buffer };

export class TarSplitWriter {
  /** Opened once 4 MB of records are batched: a smaller tar-split is compressed in-process at close. */
  private sink?: GzipSink;
  private pendingRaw: Buffer[] = [];
  private pendingBytes = 0;
  /** Records are batched: one zlib call per record made small-file layers 5× slower. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private files = 0;

  constructor(private readonly path: string) {}

  raw(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Kept as given: callers pass views of chunks nobody writes to again (no copy per header).
    this.pendingRaw.push(bytes);
    this.pendingBytes += bytes.length;
    // A long run of raw bytes (a trailer after the end marker) is written as it comes.
    if (this.pendingBytes >= 1 << 20) this.flushRaw();
  }

  private flushRaw(): void {
    if (this.pendingRaw.length === 0) return;
    // Most runs are one header (a file's): no copy of it then.
    const bytes =
      this.pendingRaw.length === 1 ? (this.pendingRaw[0] as Buffer) : Buffer.concat(this.pendingRaw);
    this.pendingRaw = [];
    this.pendingBytes = 0;
    const head = Buffer.allocUnsafe(5);
    head[0] = 0x52; // "R"
    head.writeUInt32BE(bytes.length, 1);
    this.emit(head, bytes);
  }

  private emit(...parts: Buffer[]): void {
    for (const p of parts) {
      this.batch.push(p);
      this.batchBytes += p.length;
    }
    // Until igzip runs, records wait in memory: a tar-split under 4 MB (a build's COPY of a few
    // thousand files) is compressed in-process at close (~5 ms), where forking igzip from a
    // large Node process cost ~20–40 ms of the main thread.
    if (this.batchBytes >= (this.sink ? 1 << 20 : 4 << 20)) this.flushBatch();
  }

  private flushBatch(): void {
    if (this.batch.length === 0) return;
    if (!this.sink) {
      this.sink = gzipTo(this.path);
      this.sink.done.catch(() => {}); // awaited by close()
    }
    this.sink.input.write(Buffer.concat(this.batch));
    this.batch = [];
    this.batchBytes = 0;
  }

  /** Records a payload read back from the layer; returns its index for `shadow`. */
  file(path: string, size: number): number {
    this.flushRaw();
    const len = Buffer.byteLength(path, "utf8");
    const rec = Buffer.allocUnsafe(1 + 4 + len + 8);
    rec[0] = 0x46; // "F"
    rec.writeUInt32BE(len, 1);
    rec.write(path, 5, len, "utf8");
    // A u64, as two halves (sizes stay below 2^53).
    rec.writeUInt32BE(Math.floor(size / 0x100000000), 5 + len);
    rec.writeUInt32BE(size >>> 0, 9 + len);
    this.emit(rec);
    return this.files++;
  }

  shadow(index: number, bytes: Buffer): void {
    this.flushRaw();
    const head = Buffer.allocUnsafe(9);
    head[0] = 0x53; // "S"
    head.writeUInt32BE(index, 1);
    head.writeUInt32BE(bytes.length, 5);
    this.emit(head, bytes);
  }

  async close(): Promise<void> {
    this.flushRaw();
    if (!this.sink) {
      // A small layer's records: compressing them here costs less than starting igzip.
      writeFileSync(this.path, gzipSync(Buffer.concat(this.batch), { level: 1 }));
      this.batch = [];
      return;
    }
    this.flushBatch();
    this.sink.input.end();
    await this.sink.done;
  }
}

const corrupt = (path: string) => new StrataError("STORE_CORRUPT", `tar-split ${path} is corrupt`);

export function readTarSplit(path: string): SplitRecord[] {
  let data: Buffer;
  try {
    data = gunzipSync(readFileSync(path));
  } catch (cause) {
    throw new StrataError("STORE_CORRUPT", `cannot read tar-split ${path}`, { cause });
  }
  const records: SplitRecord[] = [];
  const files: Array<{ kind: "F"; path: string; size: number; inline?: Buffer }> = [];
  let pos = 0;
  while (pos < data.length) {
    const kind = String.fromCharCode(data[pos]);
    if (kind === "R") {
      const len = data.readUInt32BE(pos + 1);
      records.push({ kind: "R", bytes: data.subarray(pos + 5, pos + 5 + len) });
      pos += 5 + len;
    } else if (kind === "F") {
      const len = data.readUInt32BE(pos + 1);
      const rec = {
        kind: "F" as const,
        path: data.toString("utf8", pos + 5, pos + 5 + len),
        size: Number(data.readBigUInt64BE(pos + 5 + len)),
      };
      records.push(rec);
      files.push(rec);
      pos += 13 + len;
    } else if (kind === "S") {
      const index = data.readUInt32BE(pos + 1);
      const len = data.readUInt32BE(pos + 5);
      if (!files[index]) throw corrupt(path);
      files[index].inline = data.subarray(pos + 9, pos + 9 + len);
      pos += 9 + len;
    } else {
      throw corrupt(path);
    }
  }
  return records;
}

/** Bytes the re-emitted tar will have, without reading the layer's files. */
export function emittedSize(path: string): number {
  return readTarSplit(path).reduce((n, r) => n + (r.kind === "R" ? r.bytes.length : r.size), 0);
}
