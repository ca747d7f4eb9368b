/**
 * Terminal size through conmon's control fifo (<bundle>/ctl): a line
 * `1 <rows> <columns>` (message type 1 is a resize). conmon applies it to the
 * container's pty, or as soon as the pty exists.
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { bundleFiles } from "./paths.ts";
import { readRecord } from "./record.ts";

export interface TerminalSize {
  rows: number;
  columns: number;
}

export function resizeControl(ctlPath: string, size: TerminalSize): void {
  let fd: number;
  try {
    // Non-blocking: with conmon gone there is no reader, and open must not wait for one.
    fd = openSync(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new StrataError(
      "RUNTIME_ERROR",
      "cannot resize the container's terminal: its monitor is not running",
      { cause },
    );
  }
  try {
    writeSync(fd, `1 ${Math.trunc(size.rows)} ${Math.trunc(size.columns)}\n`);
  } finally {
    closeSync(fd);
  }
}

export function resizeTerminal(containerDir: string, size: TerminalSize): void {
  resizeControl(bundleFiles(readRecord(containerDir).bundleDir).ctl, size);
}
