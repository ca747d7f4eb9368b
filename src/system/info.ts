/**
 * What `info` reports (Docker's types.Info, the fields that mean something
 * for strata): counts of containers and images, the storage driver and the
 * file system under the store, the runtime and the cgroup setup, the host.
 */
import { existsSync, readFileSync, statfsSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname, release, totalmem } from "node:os";
import { join } from "node:path";
import { defaultRuntime } from "../runtime/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { goArch, STRATA_VERSION } from "./version.ts";

/** statfs magic numbers → the names Docker's graphdriver gives them (daemon/graphdriver/driver_linux.go). */
const FS_NAMES: Record<number, string> = {
  61267: "extfs",
  1481003842: "xfs",
  2435016766: "btrfs",
  16914836: "tmpfs",
  2035054128: "overlayfs",
  801189825: "zfs",
  26985: "nfs",
  61791: "ecryptfs",
};

export interface EngineInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][];
  Plugins: { Volume: string[]; Network: string[]; Authorization: null; Log: string[] };
  MemoryLimit: boolean;
  SwapLimit: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  IPv4Forwarding: boolean;
  Debug: boolean;
  NFd: number;
  OomKillDisable: boolean;
  NGoroutines: number;
  SystemTime: string;
  LoggingDriver: string;
  CgroupDriver: string;
  CgroupVersion: string;
  NEventsListener: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  OSType: string;
  Architecture: string;
  IndexServerAddress: string;
  RegistryConfig: {
    AllowNondistributableArtifactsCIDRs: null;
    AllowNondistributableArtifactsHostnames: null;
    InsecureRegistryCIDRs: string[];
    IndexConfigs: Record<string, unknown>;
    Mirrors: null;
  };
  NCPU: number;
  MemTotal: number;
  GenericResources: null;
  DockerRootDir: string;
  HttpProxy: string;
  HttpsProxy: string;
  NoProxy: string;
  Name: string;
  Labels: string[];
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, { path: string }>;
  DefaultRuntime: string;
  Swarm: {
    NodeID: string;
    NodeAddr: string;
    LocalNodeState: string;
    ControlAvailable: boolean;
    Error: string;
    RemoteManagers: null;
  };
  LiveRestoreEnabled: boolean;
  Isolation: string;
  InitBinary: string;
  ContainerdCommit: { ID: string; Expected: string };
  RuncCommit: { ID: string; Expected: string };
  InitCommit: { ID: string; Expected: string };
  SecurityOptions: string[];
  Warnings: string[] | null;
}

export function backingFilesystem(path: string): string {
  try {
    const type = Number(statfsSync(path).type);
    return FS_NAMES[type] ?? `unknown (0x${type.toString(16)})`;
  } catch {
    return "unknown";
  }
}

/** "2" on a unified (cgroup v2) host; "1" on v1 and on the hybrid layout, whose controllers are v1. */
export function cgroupVersion(): string {
  return existsSync("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1";
}

function operatingSystem(): { name: string; version: string } {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, "m").exec(text)?.[1] ?? "";
    return { name: get("PRETTY_NAME") || "Linux", version: get("VERSION_ID") };
  } catch {
    return { name: "Linux", version: "" };
  }
}

/** The engine's ID: made once per store, as dockerd keeps its engine-id. */
function engineId(root: string): string {
  const file = join(root, "engine-id");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    const id = randomBytes(16).toString("hex");
    try {
      writeFileSync(file, `${id}\n`, { flag: "wx" });
      return id;
    } catch {
      return existsSync(file) ? readFileSync(file, "utf8").trim() : id;
    }
  }
}

function runtimes(): { list: Record<string, { path: string }>; dflt: string } {
  const list: Record<string, { path: string }> = {};
  for (const [name, paths] of [
    ["crun", ["/usr/bin/crun", "/usr/local/bin/crun"]],
    ["runc", ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"]],
  ] as const) {
    const p = paths.find((x) => existsSync(x));
    if (p) list[name] = { path: p };
  }
  let dflt = "";
  try {
    dflt = defaultRuntime();
  } catch {}
  return { list, dflt };
}

export function engineInfo(root: string, containers: { state: string }[], images: number): EngineInfo {
  const running = containers.filter((c) => c.state === "running" || c.state === "restarting").length;
  const paused = containers.filter((c) => c.state === "paused").length;
  const os = operatingSystem();
  const rt = runtimes();
  const cgroup2 = cgroupVersion() === "2";
  return {
    ID: engineId(root),
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.length - running - paused,
    Images: images,
    Driver: "overlay2",
    DriverStatus: [
      ["Backing Filesystem", backingFilesystem(root)],
      ["Supports d_type", "true"],
      ["Using metacopy", "false"],
      ["Native Overlay Diff", "true"],
      ["userxattr", "false"],
    ],
    Plugins: { Volume: ["local"], Network: ["host", "null"], Authorization: null, Log: ["k8s-file"] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() === "1",
    Debug: false,
    NFd: 0,
    OomKillDisable: !cgroup2,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: "k8s-file",
    CgroupDriver: "cgroupfs",
    CgroupVersion: cgroupVersion(),
    NEventsListener: 0,
    KernelVersion: release(),
    OperatingSystem: os.name,
    OSVersion: os.version,
    OSType: "linux",
    Architecture: process.arch === "x64" ? "x86_64" : goArch(),
    IndexServerAddress: "https://index.docker.io/v1/",
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ["127.0.0.0/8"],
      IndexConfigs: {},
      Mirrors: null,
    },
    NCPU: availableParallelism(),
    MemTotal: totalmem(),
    GenericResources: null,
    DockerRootDir: root,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? "",
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? "",
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? "",
    Name: hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: STRATA_VERSION,
    Runtimes: rt.list,
    DefaultRuntime: rt.dflt,
    Swarm: {
      NodeID: "",
      NodeAddr: "",
      LocalNodeState: "inactive",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: "",
    InitBinary: "",
    ContainerdCommit: { ID: "", Expected: "" },
    RuncCommit: { ID: "", Expected: "" },
    InitCommit: { ID: "", Expected: "" },
    SecurityOptions: [],
    Warnings: null,
  };
}
