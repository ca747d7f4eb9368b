export { writeEtcFiles } from "./etc.ts";
export { ensureCgroups, runtimeBinary } from "./host.ts";
export { type RunOptions, runBundle } from "./run.ts";
export { buildSpec, type SpecInput } from "./spec.ts";
export { resolveUser } from "./user.ts";
