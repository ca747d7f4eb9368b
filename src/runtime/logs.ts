/**
 * Reading conmon's k8s-file log (one record per line:
 * `<RFC 3339 time> <stdout|stderr> <F|P> <bytes>`, P for a line conmon had
 * to split) back into what the container wrote, as `docker logs` prints it.
 * `tail` counts whole lines; `follow` keeps reading until the container's
 * exit is recorded and the log is drained.
 */
import { promises as fsPromises, watch } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { Writable } from "node:stream";
import { readExit } from "./exit.ts";
import { containerFiles } from "./paths.ts";

export interface LogEntry {
  /** As conmon wrote it (local time with offset, nanoseconds). */
  time: string;
  stream: "stdout" | "stderr";
  /** A piece of a longer line: no newline follows it. */
  partial: boolean;
  data: Buffer;
}

export interface ReadLogsOptions {
  follow?: boolean;
  /** The last N lines only (undefined or negative: all). */
  tail?: number;
  signal?: AbortSignal;
}

const NL = 0x0a;
const SP = 0x20;

export function parseLogLine(line: Buffer): LogEntry | null {
  const a = line.indexOf(SP);
  const b = a < 0 ? -1 : line.indexOf(SP, a + 1);
  const c = b < 0 ? -1 : line.indexOf(SP, b + 1);
  if (c < 0) {
    // An empty message may lack the separator after the tag.
    if (b < 0) return null;
  }
  const stream = line.subarray(a + 1, b).toString();
  if (stream !== "stdout" && stream !== "stderr") return null;
  const tag = line.subarray(b + 1, c < 0 ? line.length : c).toString();
  return {
    time: line.subarray(0, a).toString(),
    stream,
    partial: tag.split(":").includes("P"),
    data: c < 0 ? Buffer.alloc(0) : line.subarray(c + 1),
  };
}

/** The bytes Docker's plain output has for an entry. */
export function entryBytes(e: LogEntry): Buffer {
  return e.partial ? e.data : Buffer.concat([e.data, Buffer.from("\n")]);
}

/** `docker logs -t`'s form: UTC, nine fractional digits (RFC3339NanoFixed). */
export function dockerTimestamp(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const frac = (m[2] ?? "").padEnd(9, "0").slice(0, 9);
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

function isFullLine(line: Buffer): boolean {
  const e = parseLogLine(line);
  return e !== null && !e.partial;
}

/**
 * Where the last `n` whole lines begin, scanning back from the end of the
 * file in chunks: after the (n+1)-th full record from the end.
 */
async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let pos = size;
  let buf = Buffer.alloc(0);
  while (pos > 0) {
    const len = Math.min(65536, pos);
    pos -= len;
    const chunk = Buffer.alloc(len);
    await fh.read(chunk, 0, len, pos);
    buf = Buffer.concat([chunk, buf]);
    let end = buf.length;
    // A record still being written (no newline yet) is skipped, not counted.
    if (buf[end - 1] !== NL) end = buf.lastIndexOf(NL, end - 1) + 1;
    let count = 0;
    while (end > 0) {
      // (A negative offset would make lastIndexOf count from the end.)
      const start = end >= 2 ? buf.lastIndexOf(NL, end - 2) + 1 : 0;
      // The first line of the buffer may be cut unless the file starts there.
      if (start === 0 && pos > 0) break;
      if (isFullLine(buf.subarray(start, end - 1))) {
        count++;
        if (count > n) return pos + end;
      }
      end = start;
    }
    if (pos === 0) return 0;
  }
  return 0;
}

function changed(path: string, dir: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      w.close();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const w = watch(dir, (_e, name) => {
      if (name === null || path.endsWith(`/${name}`) || name === "exit") done();
    });
    w.on("error", done);
    // Watches can miss events on some file systems; never wait long.
    const timer = setTimeout(done, 1000);
    signal?.addEventListener("abort", done);
  });
}

export async function* readLogs(containerDir: string, opts: ReadLogsOptions = {}): AsyncGenerator<LogEntry> {
  const path = containerFiles(containerDir).log;
  let fh: FileHandle;
  try {
    fh = await fsPromises.open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    let pos = opts.tail === undefined || opts.tail < 0 ? 0 : await tailOffset(fh, size, opts.tail);
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(65536);
    for (;;) {
      if (opts.signal?.aborted) return;
      // Decide before reading: an exit recorded now means everything is already in the file.
      const exited = !opts.follow || readExit(containerDir) !== null;
      let got = 0;
      do {
        ({ bytesRead: got } = await fh.read(chunk, 0, chunk.length, pos));
        pos += got;
        pending = Buffer.concat([pending, chunk.subarray(0, got)]);
        let nl = pending.indexOf(NL);
        while (nl >= 0) {
          const entry = parseLogLine(pending.subarray(0, nl));
          pending = pending.subarray(nl + 1);
          if (entry) yield entry;
          nl = pending.indexOf(NL);
        }
      } while (got > 0);
      if (exited) return;
      await changed(path, containerDir, opts.signal);
    }
  } finally {
    await fh.close();
  }
}

export interface CopyLogsOptions extends ReadLogsOptions {
  stdout: Writable;
  stderr: Writable;
  /** Prefix each line with its time, as `docker logs -t`. */
  timestamps?: boolean;
  /** Only entries at or after this time (ms since the epoch; `--since`). */
  since?: number;
  /** Only entries at or before this time (`--until`); following stops past it. */
  until?: number;
}

function write(stream: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

/** `docker logs`: the container's output on the given streams. */
export async function copyLogs(containerDir: string, opts: CopyLogsOptions): Promise<void> {
  let lineStart = true;
  for await (const e of readLogs(containerDir, opts)) {
    if (opts.since !== undefined || opts.until !== undefined) {
      const at = Date.parse(e.time);
      if (opts.since !== undefined && at < opts.since) continue;
      if (opts.until !== undefined && at > opts.until) return;
    }
    let bytes = entryBytes(e);
    if (opts.timestamps && lineStart)
      bytes = Buffer.concat([Buffer.from(`${dockerTimestamp(e.time)} `), bytes]);
    lineStart = !e.partial;
    await write(e.stream === "stderr" ? opts.stderr : opts.stdout, bytes);
  }
}
