export {
  type ContainerMount,
  createVolumeDirs,
  insertVolumes,
  inspectHostMounts,
  inspectMounts,
  mountsOf,
  type NewVolume,
  releaseVolumes,
  resolveMounts,
  setupMounts,
  withUserMounts,
} from "./mounts.ts";
export { volumeData } from "./names.ts";
export {
  MountFlagError,
  type MountRequest,
  parseMountFlag,
  parseTmpfsFlag,
  parseVolumeFlag,
  ramInBytes,
} from "./parse.ts";
export { resolveInRoot } from "./scope.ts";
export { type VolumeCreateOptions, type VolumeInspect, VolumeService, type VolumeUsage } from "./service.ts";
