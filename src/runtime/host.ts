/**
 * Host preparation and the runtime binary. crun refuses hybrid cgroups when a
 * controller is attached to the unified (v2) hierarchy (machine notes:
 * hugetlb here); mounting each such controller as its own v1 hierarchy fixes
 * it, once per boot.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";

export const RUNTIMES = ["/usr/bin/crun", "/usr/sbin/runc", "/usr/bin/runc"];

export function runtimeBinary(): string {
  const found = RUNTIMES.find((p) => existsSync(p));
  if (!found) {
    throw new StrataError("RUNTIME_MISSING", "no OCI runtime found (looked for crun and runc)", {
      hint: "apt-get install crun",
    });
  }
  return found;
}

export function ensureCgroups(): void {
  const unified = "/sys/fs/cgroup/unified/cgroup.controllers";
  if (!existsSync(unified)) return;
  const controllers = readFileSync(unified, "utf8").trim().split(/\s+/).filter(Boolean);
  for (const c of controllers) {
    const target = `/sys/fs/cgroup/${c}`;
    try {
      mkdirSync(target, { recursive: true });
      native().mount("cgroup", target, "cgroup", 0, c);
    } catch (cause) {
      throw new StrataError(
        "RUNTIME_ERROR",
        `cgroups are in hybrid mode with ${c} on cgroup2, which crun refuses, and mounting it as v1 failed`,
        { cause, hint: `mkdir -p ${target} && mount -t cgroup -o ${c} cgroup ${target}` },
      );
    }
  }
}
