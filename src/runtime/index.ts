/**
 * strata's container runtime layer: OCI specs with Docker's defaults, and
 * containers run by crun (or runc) under conmon, which outlives the CLI.
 * The only module imported from outside src/runtime.
 */
export { containerEnv, DEFAULT_PATH, mergeEnv, replaceOrAppendEnv } from "./env.ts";
export { type EtcOptions, writeEtcFiles } from "./etc.ts";
export {
  conmonPath,
  defaultRuntime,
  ensureCgroups,
  ensureHostReady,
  type RuntimeName,
  runtimeBinary,
  runtimePath,
} from "./host.ts";
export type { OciSpec } from "./oci-spec.ts";
export { type ImageProcessConfig, type ProcessOverrides, type ResolvedProcess, resolveProcess } from "./process.ts";
export { type RunOptions, runBundle } from "./run.ts";
export { buildSpec, type NetworkMode, type SpecInput } from "./spec.ts";
export { type ProcessUser, resolveUser } from "./user.ts";
