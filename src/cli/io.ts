/** Where a command writes. Tests pass their own; main.ts passes the process's. */
import { writeSync } from "node:fs";
import { tty } from "../sys/builtins.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: draw live progress instead of state lines. */
  readonly isTTY: boolean;
  readonly columns: number;
}

/**
 * Writes straight to the file descriptor. Touching process.stdout builds a
 * stream (and loads Node's stream and socket machinery, ~5–8 ms of a short
 * command's start-up); a synchronous write also cannot reorder with later
 * output. A non-blocking descriptor that is full falls back to the stream.
 */
function writer(fd: 1 | 2): (text: string) => void {
  return (text) => {
    const buf = Buffer.from(text);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
    }
  };
}

export const processIo: Io = {
  out: writer(1),
  err: writer(2),
  get isTTY() {
    return tty().isatty(1);
  },
  get columns() {
    return tty().isatty(1) ? (process.stdout.columns ?? 80) : 80;
  },
};
