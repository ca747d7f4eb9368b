/**
 * Draws pull progress as Docker's CLI does (jsonmessage.go). Without a
 * terminal, one `<id>: <status>` line per state change and nothing with byte
 * counts; on a terminal, one line per layer, redrawn in place with cursor
 * movement, with a 50-column bar when the terminal is wider than 110 columns.
 */
import type { LayerPhase, PullEvent } from "../image/index.ts";
import type { Io } from "./io.ts";

const WORDS: Record<LayerPhase, string> = {
  exists: "Already exists",
  waiting: "Pulling fs layer",
  downloading: "Downloading",
  verifying: "Verifying Checksum",
  downloaded: "Download complete",
  complete: "Pull complete",
};

type Sizer = (bytes: number) => string;

export function progressBar(current: number, total: number, width: number, size: Sizer): string {
  let bar = "";
  if (total > 0 && width > 110) {
    const p = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
    bar = `[${"=".repeat(p)}>${" ".repeat(50 - p)}] `;
  }
  const counts = current > total ? size(current).padStart(8) : `${size(current).padStart(8)}/${size(total)}`;
  return `${bar}${counts}`;
}

export class PullRenderer {
  /** Layer IDs in the order of their lines on screen (terminal mode). */
  private readonly lines: string[] = [];
  private lastDraw = new Map<string, number>();

  constructor(
    private readonly io: Io,
    private readonly size: Sizer,
  ) {}

  onEvent = (e: PullEvent): void => {
    switch (e.status) {
      case "resolved":
        this.io.out(`${e.id}: Pulling from ${e.repoPath}\n`);
        return;
      case "layer":
        if (e.phase === "downloading") {
          if (this.io.isTTY && e.current !== undefined) this.drawProgress(e.id, e.current, e.total ?? 0);
          return;
        }
        this.write(e.id, WORDS[e.phase]);
        return;
      case "digest":
        this.lines.length = 0;
        this.io.out(`Digest: ${e.digest}\n`);
        return;
      case "done":
        this.io.out(
          `Status: ${e.updated ? "Downloaded newer image for" : "Image is up to date for"} ${e.reference}\n`,
        );
        return;
    }
  };

  private drawProgress(id: string, current: number, total: number): void {
    // Throttle redraws as Docker's progress reader does: at most one per 100 ms.
    const now = Date.now();
    if (current < total && now - (this.lastDraw.get(id) ?? 0) < 100) return;
    this.lastDraw.set(id, now);
    this.write(id, `Downloading ${progressBar(current, total, this.io.columns, this.size)}`);
  }

  private write(id: string, text: string): void {
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
}
