/**
 * The part of Docker's HostConfig strata keeps for a container: resource
 * limits, capabilities, privileged mode, a read-only root, devices, extra
 * groups, the init process, ulimits, /dev/shm's size and security options.
 * Checked once at create with the daemon's rules and messages (nothing is
 * created when one fails), stored in the container's record with Docker's
 * field names (so `inspect` shows them as Docker does), and applied to the
 * OCI spec each time the container starts.
 */
import { existsSync } from "node:fs";
import { StrataError } from "../errors.ts";
import {
  cgroupResources,
  checkLimits,
  containerCapabilities,
  containerRlimits,
  DEFAULT_SHM_SIZE,
  type DeviceMapping,
  loadDefaultProfile,
  mappedDevices,
  NO_LIMITS,
  type OciSpec,
  parseSeccompProfile,
  type ResourceLimits,
  seccompSpec,
  walkDevices,
} from "../runtime/index.ts";
import { parseSignal } from "./signals.ts";

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface HostOptions extends ResourceLimits {
  Ulimits: Ulimit[] | null;
  ShmSize: number;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  Devices: DeviceMapping[];
  GroupAdd: string[] | null;
  /** `--init`: tini as pid 1 (null: not asked, as Docker shows it). */
  Init: boolean | null;
  /** As given (`seccomp=unconfined`, `seccomp=<profile JSON>`, `no-new-privileges`), shown by inspect. */
  SecurityOpt: string[] | null;
}

export const DEFAULT_HOST_OPTIONS: HostOptions = {
  ...NO_LIMITS,
  Ulimits: null,
  ShmSize: DEFAULT_SHM_SIZE,
  CapAdd: null,
  CapDrop: null,
  Privileged: false,
  ReadonlyRootfs: false,
  Devices: [],
  GroupAdd: null,
  Init: null,
  SecurityOpt: null,
};

/** Where Debian's tini puts its static build (a container may have no libc). */
export const INIT_PATHS = ["/usr/bin/tini-static", "/usr/bin/tini"];
/** Where Docker mounts its init in the container. */
const INIT_IN_CONTAINER = "/sbin/docker-init";

const invalid = (message: string) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });

export interface SecurityOptions {
  /** "default", "unconfined", or a parsed profile's JSON text. */
  seccomp: string;
  noNewPrivileges: boolean;
}

/** The daemon's reading of `--security-opt` (daemon/create.go parseSecurityOpt). */
export function parseSecurityOpts(opts: string[] | null): SecurityOptions {
  const out: SecurityOptions = { seccomp: "default", noNewPrivileges: false };
  for (const opt of opts ?? []) {
    if (opt === "no-new-privileges") {
      out.noNewPrivileges = true;
      continue;
    }
    const sep = opt.includes("=") ? "=" : opt.includes(":") ? ":" : "";
    if (!sep) throw invalid(`invalid --security-opt 1: "${opt}"`);
    const at = opt.indexOf(sep);
    const [key, value] = [opt.slice(0, at), opt.slice(at + 1)];
    if (key === "seccomp") {
      // A profile is checked now, so a bad one fails the create, not a later start.
      if (value !== "unconfined" && value !== "builtin") parseSeccompProfile(value);
      out.seccomp = value === "builtin" ? "default" : value;
    } else if (key === "no-new-privileges") {
      if (!["true", "false", "1", "0"].includes(value)) throw invalid(`invalid --security-opt 2: "${opt}"`);
      out.noNewPrivileges = value === "true" || value === "1";
    } else if (key === "label" || key === "apparmor") {
      throw invalid(`--security-opt ${key} is not supported: strata runs without SELinux or AppArmor`);
    } else {
      throw invalid(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return out;
}

function initPath(): string {
  const found = INIT_PATHS.find((p) => existsSync(p));
  if (!found) {
    throw new StrataError("RUNTIME_MISSING", "--init needs tini, which is not installed", {
      hint: "apt-get install tini",
    });
  }
  return found;
}

/** Docker's checks of a HostConfig at create (and of `update`'s limits); the record to store. */
export function checkHostOptions(input: Partial<HostOptions>): HostOptions {
  const h: HostOptions = { ...DEFAULT_HOST_OPTIONS, ...input };
  Object.assign(h, checkLimits(h));
  if (h.ShmSize < 0) throw invalid("SHM size can not be less than 0");
  if (h.ShmSize === 0) h.ShmSize = DEFAULT_SHM_SIZE;
  containerCapabilities({ add: h.CapAdd, drop: h.CapDrop, privileged: h.Privileged });
  containerRlimits(rlimitsOf(h));
  for (const d of h.Devices) mappedDevices(d);
  parseSecurityOpts(h.SecurityOpt);
  if (h.Init) initPath();
  return h;
}

function rlimitsOf(h: HostOptions) {
  return (h.Ulimits ?? []).map((u) => ({
    type: `RLIMIT_${u.Name.toUpperCase()}`,
    soft: u.Soft,
    hard: u.Hard,
  }));
}

/** What buildSpec takes from the HostConfig (the rest applyHostOptions adds after). */
export function specInputOf(h: HostOptions) {
  return { readonlyRootfs: h.ReadonlyRootfs, ulimits: rlimitsOf(h) };
}

/**
 * The HostConfig applied to a spec buildSpec made: capabilities, seccomp
 * (after the capabilities, whose set its rules depend on), privileged mode,
 * devices, /dev/shm, cgroup limits and the init process.
 */
export function applyHostOptions(spec: OciSpec, h: HostOptions): OciSpec {
  const caps = containerCapabilities({ add: h.CapAdd, drop: h.CapDrop, privileged: h.Privileged });
  const p = spec.process;
  p.capabilities =
    p.user.uid === 0 ? { bounding: caps, effective: caps, permitted: caps } : { bounding: caps };
  const security = parseSecurityOpts(h.SecurityOpt);
  p.noNewPrivileges = security.noNewPrivileges;
  // Docker gives privileged containers no seccomp filter.
  if (!h.Privileged && security.seccomp !== "unconfined") {
    const profile =
      security.seccomp === "default" ? loadDefaultProfile() : parseSeccompProfile(security.seccomp);
    spec.linux.seccomp = seccompSpec(profile, { capabilities: caps });
  }
  const devices = spec.linux.devices ?? [];
  if (h.Privileged) {
    spec.linux.maskedPaths = [];
    spec.linux.readonlyPaths = [];
    for (const m of spec.mounts) {
      if (m.destination === "/sys" || m.destination === "/sys/fs/cgroup") {
        m.options = m.options.filter((o) => o !== "ro");
      }
    }
    devices.push(...walkDevices("/dev"));
    spec.linux.resources.devices = [{ allow: true, access: "rwm" }];
  }
  for (const d of h.Devices) {
    const mapped = mappedDevices(d);
    devices.push(...mapped.devices);
    if (!h.Privileged) spec.linux.resources.devices.push(...mapped.rules);
  }
  if (devices.length > 0) spec.linux.devices = devices;
  const shm = spec.mounts.find((m) => m.destination === "/dev/shm");
  if (shm) shm.options = [...shm.options.filter((o) => !o.startsWith("size=")), `size=${h.ShmSize}`];
  Object.assign(spec.linux.resources, cgroupResources(h));
  if (h.Init) {
    spec.mounts.push({
      destination: INIT_IN_CONTAINER,
      type: "bind",
      source: initPath(),
      options: ["bind", "ro"],
    });
    p.args = [INIT_IN_CONTAINER, "--", ...p.args];
  }
  return spec;
}

/** Docker's `inspect` HostConfig fields for these options. */
export function inspectHostOptions(h: HostOptions) {
  return {
    CapAdd: h.CapAdd,
    CapDrop: h.CapDrop,
    GroupAdd: h.GroupAdd,
    Privileged: h.Privileged,
    ReadonlyRootfs: h.ReadonlyRootfs,
    SecurityOpt: h.SecurityOpt,
    ShmSize: h.ShmSize,
    CpuShares: h.CpuShares,
    Memory: h.Memory,
    NanoCpus: h.NanoCpus,
    CpusetCpus: h.CpusetCpus,
    Devices: h.Devices,
    MemorySwap: h.MemorySwap,
    PidsLimit: h.PidsLimit,
    Ulimits: h.Ulimits,
    Init: h.Init,
  };
}

/** The container's HostConfig; records made before strata kept one have Docker's defaults. */
export function hostOptionsOf(config: { HostConfig?: HostOptions }): HostOptions {
  return { ...DEFAULT_HOST_OPTIONS, ...config.HostConfig };
}

export interface ConfigExtras {
  HostConfig: HostOptions;
  StopSignal?: string;
  StopTimeout?: number;
}

/** The checked HostConfig, stop signal (the image's unless given) and stop timeout of a new container. */
export function configExtras(
  opts: { hostConfig?: Partial<HostOptions>; stopSignal?: string; stopTimeout?: number },
  image: { StopSignal?: unknown },
): ConfigExtras {
  const out: ConfigExtras = { HostConfig: checkHostOptions(opts.hostConfig ?? {}) };
  const signal = opts.stopSignal ?? (typeof image.StopSignal === "string" ? image.StopSignal : undefined);
  if (signal) {
    parseSignal(signal);
    out.StopSignal = signal;
  }
  if (opts.stopTimeout !== undefined) out.StopTimeout = opts.stopTimeout;
  return out;
}
