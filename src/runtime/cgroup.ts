/**
 * A running container's cgroup, found from its init process: the lines of
 * /proc/PID/cgroup joined to the host's cgroup mounts. Machines of this kind
 * have v1 hierarchies (one per controller) beside a unified v2 mount; other
 * hosts are pure v2. Reading the kernel's own record of where the process is
 * needs no knowledge of how crun named the cgroup (cgroupfs or systemd).
 * Read-only: `top` lists its processes, `stats` reads its counters.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ContainerCgroup {
  /** v1 controller (memory, cpuacct, pids, blkio …) → the container's directory in that hierarchy. */
  readonly v1: ReadonlyMap<string, string>;
  /** The container's directory in the cgroup2 tree, when one is mounted. */
  readonly v2?: string;
}

interface CgroupMount {
  root: string;
  mountPoint: string;
}

/** cgroup mounts of this mount namespace: v1 by controller, and the one cgroup2 mount. */
function cgroupMounts(): { v1: Map<string, CgroupMount>; v2?: CgroupMount } {
  const v1 = new Map<string, CgroupMount>();
  let v2: CgroupMount | undefined;
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const f = line.split(" ");
    const sep = f.indexOf("-");
    if (sep < 0) continue;
    const mount = { root: f[3] as string, mountPoint: unescapeOctal(f[4] as string) };
    const fsType = f[sep + 1];
    if (fsType === "cgroup2") v2 ??= mount;
    else if (fsType === "cgroup") {
      // Super options name the controllers of a v1 hierarchy (`rw,cpu,cpuacct`).
      for (const opt of (f[sep + 3] ?? "").split(",")) if (!v1.has(opt)) v1.set(opt, mount);
    }
  }
  return { v1, v2 };
}

/** mountinfo escapes spaces and such as octal (`\040`). */
const unescapeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

function under(mount: CgroupMount, path: string): string {
  // A hierarchy mounted from a sub-tree sees paths relative to its root.
  const rel = mount.root !== "/" && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return join(mount.mountPoint, rel);
}

/** The cgroup directories of process `pid`; throws (ENOENT) when the process is gone. */
export function cgroupOf(pid: number): ContainerCgroup {
  const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n");
  const mounts = cgroupMounts();
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of lines) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (line.slice(0, first) === "0" && controllers === "") {
      if (mounts.v2) v2 = under(mounts.v2, path);
      continue;
    }
    for (const c of controllers.split(",")) {
      const m = mounts.v1.get(c);
      if (m) v1.set(c, under(m, path));
    }
  }
  return { v1, v2 };
}

/** The cgroup's version for accounting: v1 when the memory controller has a v1 hierarchy. */
export function cgroupVersion(cg: ContainerCgroup): 1 | 2 {
  return cg.v1.has("memory") ? 1 : 2;
}

function readPids(dir: string): number[] | null {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map(Number);
  } catch {
    return null;
  }
}

/**
 * Every process in the container's cgroup (the runtime's exec'd processes
 * join it too), as Docker's task.Pids lists them.
 */
export function cgroupPids(cg: ContainerCgroup): number[] {
  const dirs = [cg.v1.get("pids"), cg.v2, ...cg.v1.values()].filter((d): d is string => d !== undefined);
  for (const dir of dirs) {
    const pids = readPids(dir);
    if (pids && pids.length > 0) return pids;
  }
  return [];
}
