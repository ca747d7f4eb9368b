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

export type PushPhase =
  | "preparing" // "Preparing"
  | "pushing" // bytes read from the layer (tar bytes when compressing, blob bytes when copying)
  | "retrying" // a temporary failure: the blob starts again in a fresh upload
  | "exists" // "Layer already exists"
  | "mounted" // "Mounted from <repository>"
  | "pushed"; // "Pushed"

export type PushEvent =
  /** Before anything else: the repository pushed to, fully qualified (`127.0.0.1:5000/web`). */
  | { status: "repository"; name: string }
  /** `id` is the first 12 hex of the layer's diff ID, as Docker names pushed layers. */
  | {
      status: "layer";
      id: string;
      phase: PushPhase;
      current?: number;
      total?: number;
      /** `mounted`: the repository the blob was linked from; `retrying`: the attempt. */
      from?: string;
      attempt?: number;
    }
  /** A tag's manifest is in: its digest and byte length. */
  | { status: "tag"; tag: string; digest: string; size: number };

export type PushListener = (event: PushEvent) => void;
