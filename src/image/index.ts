export type { LayerPhase, PullEvent, PullListener } from "./events.ts";
export type { HistoryItem } from "./history.ts";
export type { ImageSummary } from "./list.ts";
export type { FoundImage } from "./lookup.ts";
export type { PruneResult } from "./prune.ts";
export type { PullOptions, PullResult } from "./pull.ts";
export type { DeleteRecord, RemoveOptions } from "./remove.ts";
export { ImageService } from "./service.ts";
export type { ImageUser, ImageUsers } from "./users.ts";
