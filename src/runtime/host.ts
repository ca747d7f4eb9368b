/**
 * Host preparation: the OCI runtime and conmon binaries, and cgroups crun can
 * use. On this kind of machine cgroups are in hybrid mode with a controller
 * (hugetlb) attached to the unified v2 hierarchy, which crun refuses ("cgroups
 * in hybrid mode not supported, drop all controllers from cgroupv2");
 * mounting each such controller as its own v1 hierarchy fixes it, once per
 * boot. There is no systemd, so the cgroup manager is always cgroupfs.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";

export type RuntimeName = "crun" | "runc";

const RUNTIME_PATHS: Record<RuntimeName, string[]> = {
  crun: ["/usr/bin/crun", "/usr/local/bin/crun"],
  runc: ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"],
};
const CONMON_PATHS = ["/usr/bin/conmon", "/usr/libexec/podman/conmon", "/usr/local/bin/conmon"];
const INSTALL_HINT = "apt-get install crun conmon";

/** Where the runtime `name` is installed; `candidates` are the places Debian's packages put it. */
export function findRuntime(name: RuntimeName, candidates = RUNTIME_PATHS[name]): string | undefined {
  return candidates.find((p) => existsSync(p));
}

/** crun when installed (faster to start, and what the hybrid-cgroup fix targets), else runc. */
export function defaultRuntime(): RuntimeName {
  if (findRuntime("crun")) return "crun";
  if (findRuntime("runc")) return "runc";
  throw new StrataError("RUNTIME_MISSING", "no OCI runtime found (looked for crun and runc)", {
    hint: INSTALL_HINT,
  });
}

export function runtimePath(name: RuntimeName = defaultRuntime(), candidates = RUNTIME_PATHS[name]): string {
  const found = findRuntime(name, candidates);
  if (!found) {
    throw new StrataError("RUNTIME_MISSING", `the OCI runtime ${name} is not installed`, {
      hint: `apt-get install ${name}`,
    });
  }
  return found;
}

export function conmonPath(candidates = CONMON_PATHS): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new StrataError("RUNTIME_MISSING", "conmon, the container monitor, is not installed", {
      hint: INSTALL_HINT,
    });
  }
  return found;
}

/** Global options for every runtime command: cgroupfs, since there is no systemd to delegate to. */
export function runtimeGlobalArgs(name: RuntimeName): string[] {
  // runc's default is cgroupfs and it has no --cgroup-manager option.
  return name === "crun" ? ["--cgroup-manager=cgroupfs"] : [];
}

const UNIFIED = "/sys/fs/cgroup/unified";

function mountedCgroupDirs(): Set<string> {
  const dirs = new Set<string>();
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const f = line.split(" ");
    const sep = f.indexOf("-");
    if (sep > 0 && (f[sep + 1] === "cgroup" || f[sep + 1] === "cgroup2")) dirs.add(f[4] as string);
  }
  return dirs;
}

/**
 * Moves every controller attached to the hybrid layout's cgroup2 mount to a
 * v1 hierarchy of its own. Idempotent: a moved controller is no longer listed
 * in cgroup.controllers. Pure v1 and pure v2 hosts need nothing.
 */
export function ensureCgroups(): void {
  const list = `${UNIFIED}/cgroup.controllers`;
  if (!existsSync(list)) return;
  const controllers = readFileSync(list, "utf8").trim().split(/\s+/).filter(Boolean);
  if (controllers.length === 0) return;
  const mounted = mountedCgroupDirs();
  for (const c of controllers) {
    const target = `/sys/fs/cgroup/${c}`;
    if (mounted.has(target)) continue;
    try {
      mkdirSync(target, { recursive: true });
      native().mount("cgroup", target, "cgroup", 0, c);
    } catch (cause) {
      throw new StrataError(
        "RUNTIME_ERROR",
        `cgroups are in hybrid mode with ${c} on cgroup2, which crun refuses, and mounting ${c} as a v1 hierarchy failed`,
        { cause, hint: `mkdir -p ${target} && mount -t cgroup -o ${c} cgroup ${target}` },
      );
    }
  }
}

/** Runtimes already checked in this process (with conmon and cgroups). */
const ready = new Set<RuntimeName>();

/**
 * Everything a container start needs from the host: the runtime, conmon and
 * usable cgroups. Cheap after the first call in a process. Returns the
 * runtime to use: the one asked for, else crun when installed.
 */
export function ensureHostReady(runtime?: RuntimeName): RuntimeName {
  const name = runtime ?? defaultRuntime();
  if (ready.has(name)) return name;
  runtimePath(name);
  conmonPath();
  ensureCgroups();
  ready.add(name);
  return name;
}
