/**
 * Draws pull progress as Docker's CLI does (jsonmessage.go). Without a
 * terminal, one `<id>: <status>` line per state change and nothing with byte
 * counts; on a terminal, one line per layer, redrawn in place with cursor
 * movement, with a 50-column bar when the terminal is wider than 110 columns.
 */
import type { PullEvent } from "../image/index.ts";
import { PULL_WORDS } from "../image/progress-words.ts";
import type { Io } from "./io.ts";
import { LayerLines } from "./layer-lines.ts";

type Sizer = (bytes: number) => string;

export class PullRenderer {
  private readonly lines: LayerLines;

  constructor(
    private readonly io: Io,
    size: Sizer,
  ) {
    this.lines = new LayerLines(io, size);
  }

  onEvent = (e: PullEvent): void => {
    switch (e.status) {
      case "resolved":
        this.io.out(`${e.id}: Pulling from ${e.repoPath}\n`);
        return;
      case "layer":
        if (e.phase === "downloading") {
          if (e.current !== undefined) this.lines.progress(e.id, "Downloading", e.current, e.total ?? 0);
          return;
        }
        this.lines.write(e.id, PULL_WORDS[e.phase]);
        return;
      case "digest":
        this.lines.reset();
        this.io.out(`Digest: ${e.digest}\n`);
        return;
      case "done":
        this.io.out(
          `Status: ${e.updated ? "Downloaded newer image for" : "Image is up to date for"} ${e.reference}\n`,
        );
        return;
    }
  };
}
