/**
 * Docker's words for pull and push states (moby's progress messages), shared
 * by the CLI's renderers and the API's JSON stream so the two never differ.
 */
import type { LayerPhase, PushEvent } from "./index.ts";

export const PULL_WORDS: Record<LayerPhase, string> = {
  exists: "Already exists",
  waiting: "Pulling fs layer",
  downloading: "Downloading",
  verifying: "Verifying Checksum",
  downloaded: "Download complete",
  complete: "Pull complete",
};

const PUSH_WORDS = { preparing: "Preparing", exists: "Layer already exists", pushed: "Pushed" } as const;

/** A push layer's status line, for every phase but `pushing` (which carries byte counts). */
export function pushWords(e: Extract<PushEvent, { status: "layer" }>): string {
  if (e.phase === "mounted") return `Mounted from ${e.from}`;
  if (e.phase === "retrying") return `Retrying in ${e.attempt} second${e.attempt === 1 ? "" : "s"}`;
  return PUSH_WORDS[e.phase as keyof typeof PUSH_WORDS];
}
