/**
 * The per-layer lines of Docker's pull and push progress (jsonmessage.go):
 * without a terminal one `<id>: <text>` line per call; on a terminal each ID
 * keeps its line and later texts redraw it in place with cursor movement.
 */

import { progressBar } from "../format/progress-bar.ts";
import type { Io } from "./io.ts";

type Sizer = (bytes: number) => string;

export class LayerLines {
  /** IDs in the order of their lines on screen (terminal mode). */
  private readonly lines: string[] = [];
  private readonly lastDraw = new Map<string, number>();

  constructor(
    private readonly io: Io,
    private readonly size: Sizer,
  ) {}

  /** A byte-count line (`Downloading [==>  ] 1MB/2MB`), on terminals only, at most every 100 ms per ID as Docker's progress reader. */
  progress(id: string, verb: string, current: number, total: number): void {
    if (!this.io.isTTY) return;
    const now = Date.now();
    if (current < total && now - (this.lastDraw.get(id) ?? 0) < 100) return;
    this.lastDraw.set(id, now);
    this.write(id, `${verb} ${progressBar(current, total, this.io.columns, this.size)}`);
  }

  write(id: string, text: string): void {
    if (!this.io.isTTY) {
      this.io.out(`${id}: ${text}\n`);
      return;
    }
    const index = this.lines.indexOf(id);
    if (index < 0) {
      this.lines.push(id);
      this.io.out(`${id}: ${text}\n`);
      return;
    }
    const up = this.lines.length - index;
    this.io.out(`\x1b[${up}A\x1b[2K\r${id}: ${text}\n${up > 1 ? `\x1b[${up - 1}B` : ""}`);
  }

  /** What follows (the next tag's layers, the digest line) starts a new block of lines. */
  reset(): void {
    this.lines.length = 0;
  }
}
