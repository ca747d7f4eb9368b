export type { PathStat } from "./copy.ts";
export type { ContainerConfig, CreateOptions } from "./create.ts";
export type { Change } from "./diff.ts";
export type { ContainerInspect } from "./inspect.ts";
export type { ContainerSummary } from "./list.ts";
export { type AttachStreams, type ContainerExecOptions, ContainerService } from "./service.ts";
export type { NetworkStats, StatsResponse, StatsStreamOptions } from "./stats.ts";
export { type StatsSummary, summarizeStats } from "./stats-summary.ts";
export type { TopResult } from "./top.ts";
