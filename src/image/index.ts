export type {
  LayerPhase,
  PullEvent,
  PullListener,
  PushEvent,
  PushListener,
  PushPhase,
} from "./events.ts";
export type { HistoryItem } from "./history.ts";
export type { ImportOptions } from "./import.ts";
export type { ImageSummary } from "./list.ts";
export type { LoadedImage } from "./load.ts";
export type { FoundImage } from "./lookup.ts";
export type { PruneResult } from "./prune.ts";
export type { PullOptions, PullResult } from "./pull.ts";
export type { PushedTag, PushOptions, PushResult } from "./push.ts";
export type { DeleteRecord, RemoveOptions } from "./remove.ts";
export { ImageService } from "./service.ts";
export type { ImageUser, ImageUsers } from "./users.ts";
