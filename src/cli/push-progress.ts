/**
 * Draws push progress as Docker's CLI does: one `<id>: <status>` line per
 * state change without a terminal (`Preparing`, then `Pushed`, `Layer
 * already exists` or `Mounted from <repo>`), and on a terminal one line per
 * layer redrawn in place, with `Pushing [==>   ]  1.2MB/78MB` while bytes go.
 */
import type { PushEvent } from "../image/index.ts";
import { pushWords } from "../image/progress-words.ts";
import type { Io } from "./io.ts";
import { LayerLines } from "./layer-lines.ts";

type Sizer = (bytes: number) => string;

export class PushRenderer {
  private readonly lines: LayerLines;

  constructor(
    private readonly io: Io,
    size: Sizer,
  ) {
    this.lines = new LayerLines(io, size);
  }

  onEvent = (e: PushEvent): void => {
    switch (e.status) {
      case "repository":
        this.io.out(`The push refers to repository [${e.name}]\n`);
        return;
      case "layer":
        if (e.phase === "pushing") {
          if (e.current !== undefined) this.lines.progress(e.id, "Pushing", e.current, e.total ?? 0);
          return;
        }
        this.lines.write(e.id, pushWords(e));
        return;
      case "tag":
        // The next tag (with --all-tags) starts its own block of lines.
        this.lines.reset();
        this.io.out(`${e.tag}: digest: ${e.digest} size: ${e.size}\n`);
        return;
    }
  };
}
