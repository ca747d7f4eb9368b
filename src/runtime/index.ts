/**
 * strata's container runtime layer: OCI specs with Docker's defaults, and
 * containers run by crun (or runc) under conmon, which outlives the CLI.
 * The only module imported from outside src/runtime.
 */
export { type AttachOptions, type AttachResult, type AttachSession, attach } from "./attach.ts";
export { containerCapabilities, heldCapabilities, normalizeCapability } from "./capabilities.ts";
export { type ContainerCgroup, cgroupOf, cgroupPids, cgroupVersion } from "./cgroup.ts";
export {
  type BlkioEntry,
  type BlkioStats,
  type CgroupStats,
  type CpuStats,
  type CpuUsage,
  emptyBlkio,
  emptyCpu,
  type MemoryStats,
  type PidsStats,
  readCgroupStats,
} from "./cgroup-stats.ts";
export { type CreateContainerOptions, type CreatedContainer, createContainer } from "./create.ts";
export { DEFAULT_DETACH_KEYS, parseDetachKeys } from "./detach-keys.ts";
export { type DeviceMapping, mappedDevices, walk as walkDevices } from "./devices.ts";
export { containerEnv, DEFAULT_PATH, mergeEnv, replaceOrAppendEnv } from "./env.ts";
export { containerResolvConf as filterResolvConf, type EtcOptions, writeEtcFiles } from "./etc.ts";
export { type ExecOptions, type ExecResult, execInContainer } from "./exec.ts";
export {
  type ExitStatus,
  monitorAlive,
  readExit,
  type WaitOptions,
  waitExit,
  waitExitStatus,
} from "./exit.ts";
export {
  conmonPath,
  defaultRuntime,
  ensureCgroups,
  ensureHostReady,
  type RuntimeName,
  runtimePath,
} from "./host.ts";
export {
  type CopyLogsOptions,
  copyLogs,
  dockerTimestamp,
  type LogEntry,
  type ReadLogsOptions,
  readLogs,
} from "./logs.ts";
export type { OciCgroupResources, OciSpec } from "./oci-spec.ts";
export { type ContainerFiles, containerFiles } from "./paths.ts";
export {
  type ImageProcessConfig,
  type ProcessOverrides,
  type ResolvedProcess,
  resolveProcess,
} from "./process.ts";
export { type RuntimeRecord, readRecord } from "./record.ts";
export { resizeTerminal, type TerminalSize } from "./resize.ts";
export {
  cgroupResources,
  checkLimits,
  NO_LIMITS,
  parseCpuset,
  type ResourceLimits,
} from "./resources.ts";
export { containerRlimits } from "./rlimits.ts";
export {
  deleteCommand,
  deleteContainer,
  deleteContainerInBackground,
  killContainer,
  pauseContainer,
  type RuntimeOptions,
  type RuntimeState,
  type RuntimeStatus,
  resumeContainer,
  startContainer,
  state,
} from "./runtime-cli.ts";
export {
  loadDefaultProfile,
  type OciSeccomp,
  parseSeccompProfile,
  type SeccompProfile,
  seccompSpec,
} from "./seccomp.ts";
export { buildSpec, type NetworkMode, type SpecInput } from "./spec.ts";
export { DEFAULT_SHM_SIZE } from "./spec-defaults.ts";
export { type StopOptions, stopContainer } from "./stop.ts";
export { updateResources } from "./update.ts";
export { type ProcessUser, resolveUser } from "./user.ts";
