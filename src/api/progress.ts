/**
 * The engine's typed pull events as Docker's JSON progress stream (moby's
 * jsonmessage: one object per line). An error before the first line is an
 * HTTP error (moby answers that way while nothing is flushed); after it, an
 * `errorDetail` line ends the stream.
 */
import type { ServerResponse } from "node:http";
import { humanSize } from "../format/index.ts";
import { progressBar } from "../format/progress-bar.ts";
import type { PullEvent } from "../image/index.ts";
import { PULL_WORDS } from "../image/progress-words.ts";

export function pullMessage(e: PullEvent): Record<string, unknown> {
  switch (e.status) {
    case "resolved":
      return { status: `Pulling from ${e.repoPath}`, id: e.id };
    case "layer":
      if (e.phase === "downloading" && e.current !== undefined) {
        const total = e.total ?? 0;
        return {
          status: "Downloading",
          progressDetail: { current: e.current, total },
          // The daemon renders its bar for a wide terminal, as moby does for clients that print it as is.
          progress: progressBar(e.current, total, 200, humanSize),
          id: e.id,
        };
      }
      return { status: PULL_WORDS[e.phase], progressDetail: {}, id: e.id };
    case "digest":
      return { status: `Digest: ${e.digest}` };
    case "done":
      return {
        status: `Status: ${e.updated ? "Downloaded newer image for" : "Image is up to date for"} ${e.reference}`,
      };
  }
}

/** A JSON-lines writer that sends its 200 with the first line. */
export class JsonStream {
  private started = false;
  private lastProgress = new Map<string, number>();

  constructor(private readonly res: ServerResponse) {}

  get flushed(): boolean {
    return this.started;
  }

  write(obj: unknown): void {
    if (this.res.destroyed) return;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { "Content-Type": "application/json" });
    }
    this.res.write(`${JSON.stringify(obj)}\r\n`);
  }

  /** Pull events, download progress at most every 100 ms per layer (as moby's progress reader). */
  pullEvent = (e: PullEvent): void => {
    if (e.status === "layer" && e.phase === "downloading") {
      const now = Date.now();
      const done = e.current !== undefined && e.total !== undefined && e.current >= e.total;
      if (!done && now - (this.lastProgress.get(e.id) ?? 0) < 100) return;
      this.lastProgress.set(e.id, now);
    }
    this.write(pullMessage(e));
  };

  error(message: string): void {
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    if (!this.started) this.res.writeHead(200, { "Content-Type": "application/json" });
    this.started = true;
    this.res.end();
  }
}
