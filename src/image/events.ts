/**
 * What a pull reports while it runs. The library never prints: the CLI turns
 * these into Docker's lines (src/cli/progress.ts).
 */
export type LayerPhase =
  | "exists" // "Already exists"
  | "waiting" // "Pulling fs layer" (queued or about to start)
  | "downloading" // bytes of the compressed blob, streamed straight into the unpacker
  | "verifying" // "Verifying Checksum"
  | "downloaded" // "Download complete"
  | "complete"; // "Pull complete"

export type PullEvent =
  /** The reference resolved; `id` is the tag (or the full reference when pulling by digest). */
  | { status: "resolved"; id: string; repoPath: string }
  | { status: "layer"; id: string; phase: LayerPhase; current?: number; total?: number }
  | { status: "digest"; digest: string }
  | { status: "done"; updated: boolean; reference: string };

export type PullListener = (event: PullEvent) => void;
