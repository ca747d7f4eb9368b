/**
 * The parts of the OCI runtime spec (runtime-spec config.md, config-linux.md)
 * that strata writes. Only what buildSpec sets is typed; crun and runc accept
 * any valid subset.
 */
export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective?: string[];
  permitted?: string[];
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

export interface OciLinux {
  namespaces: { type: string; path?: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  resources: { devices: OciDeviceRule[] };
  sysctl?: Record<string, string>;
  cgroupsPath?: string;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: OciLinux;
}
