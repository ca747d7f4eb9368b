export type { ContainerConfig, CreateOptions } from "./create.ts";
export type { Change } from "./diff.ts";
export type { ContainerSummary } from "./list.ts";
export { ContainerService } from "./service.ts";
