/**
 * The parts of the OCI runtime spec (runtime-spec config.md, config-linux.md)
 * that strata writes. Only what buildSpec sets is typed; crun and runc accept
 * any valid subset.
 */
import type { OciSeccomp } from "./seccomp.ts";

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective?: string[];
  permitted?: string[];
  inheritable?: string[];
}

export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface OciProcess {
  terminal: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciDeviceRule {
  allow: boolean;
  type?: "a" | "b" | "c";
  major?: number;
  minor?: number;
  access: string;
}

/** A device node the runtime creates in the container (config-linux.md "Devices"). */
export interface OciDevice {
  path: string;
  type: "c" | "b" | "p" | "u";
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** The cgroup limits strata sets (config-linux.md "Control groups"); also `update`'s resources document. */
export interface OciCgroupResources {
  memory?: { limit?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
  pids?: { limit: number };
}

export interface OciLinux {
  namespaces: { type: string; path?: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  resources: { devices: OciDeviceRule[] } & OciCgroupResources;
  devices?: OciDevice[];
  sysctl?: Record<string, string>;
  cgroupsPath?: string;
  seccomp?: OciSeccomp;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: OciLinux;
}
