/**
 * Draws push progress as Docker's CLI does: one `<id>: <status>` line per
 * state change without a terminal (`Preparing`, then `Pushed`, `Layer
 * already exists` or `Mounted from <repo>`), and on a terminal one line per
 * layer redrawn in place, with `Pushing [==>   ]  1.2MB/78MB` while bytes go.
 */
import type { PushEvent, PushPhase } from "../image/index.ts";
import type { Io } from "./io.ts";
import { progressBar } from "./progress.ts";

const WORDS: Record<Exclude<PushPhase, "pushing" | "mounted" | "retrying">, string> = {
  preparing: "Preparing",
  exists: "Layer already exists",
  pushed: "Pushed",
};

type Sizer = (bytes: number) => string;

export class PushRenderer {
  private readonly lines: string[] = [];
  private readonly lastDraw = new Map<string, number>();

  constructor(
    private readonly io: Io,
    private readonly size: Sizer,
  ) {}

  onEvent = (e: PushEvent): void => {
    switch (e.status) {
      case "repository":
        this.io.out(`The push refers to repository [${e.name}]\n`);
        return;
      case "layer":
        if (e.phase === "pushing") {
          if (this.io.isTTY && e.current !== undefined) this.drawProgress(e.id, e.current, e.total ?? 0);
          return;
        }
        this.write(e.id, this.words(e));
        return;
      case "tag":
        // The next tag (with --all-tags) starts its own block of lines.
        this.lines.length = 0;
        this.io.out(`${e.tag}: digest: ${e.digest} size: ${e.size}\n`);
        return;
    }
  };

  private words(e: Extract<PushEvent, { status: "layer" }>): string {
    if (e.phase === "mounted") return `Mounted from ${e.from}`;
    if (e.phase === "retrying") return `Retrying in ${e.attempt} second${e.attempt === 1 ? "" : "s"}`;
    return WORDS[e.phase as keyof typeof WORDS];
  }

  private drawProgress(id: string, current: number, total: number): void {
    const now = Date.now();
    if (current < total && now - (this.lastDraw.get(id) ?? 0) < 100) return;
    this.lastDraw.set(id, now);
    this.write(id, `Pushing ${progressBar(current, total, this.io.columns, this.size)}`);
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
