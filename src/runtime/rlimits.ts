/**
 * Resource limits for the container. Root here lacks CAP_SYS_RESOURCE, so a
 * limit above what this process already has (Podman's nofile 1048576) makes
 * the runtime fail; strata therefore gives the container exactly the limits
 * it would inherit, stated in the spec so `inspect` shows them, and refuses
 * `--ulimit` values above the current hard limit with a clear error.
 */
import { readFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { heldCapabilities } from "./capabilities.ts";
import type { OciRlimit } from "./oci-spec.ts";

/** /proc/self/limits row names → OCI rlimit types. */
const NAMES: Record<string, string> = {
  "Max open files": "RLIMIT_NOFILE",
  "Max processes": "RLIMIT_NPROC",
};

/** Every row of /proc/self/limits, to check `--ulimit` values against the hard limits this process has. */
const ALL_NAMES: Record<string, string> = {
  ...NAMES,
  "Max cpu time": "RLIMIT_CPU",
  "Max file size": "RLIMIT_FSIZE",
  "Max data size": "RLIMIT_DATA",
  "Max stack size": "RLIMIT_STACK",
  "Max core file size": "RLIMIT_CORE",
  "Max resident set": "RLIMIT_RSS",
  "Max locked memory": "RLIMIT_MEMLOCK",
  "Max address space": "RLIMIT_AS",
  "Max file locks": "RLIMIT_LOCKS",
  "Max pending signals": "RLIMIT_SIGPENDING",
  "Max msgqueue size": "RLIMIT_MSGQUEUE",
  "Max nice priority": "RLIMIT_NICE",
  "Max realtime priority": "RLIMIT_RTPRIO",
  "Max realtime timeout": "RLIMIT_RTTIME",
};

export function currentRlimits(names: Record<string, string> = NAMES): OciRlimit[] {
  const out: OciRlimit[] = [];
  let text = "";
  try {
    text = readFileSync("/proc/self/limits", "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const type = m ? names[m[1] as string] : undefined;
    // RLIM_INFINITY (2^64 − 1) has no exact JSON number; an unlimited limit is inherited anyway.
    if (!m || !type || m[2] === "unlimited" || m[3] === "unlimited") continue;
    out.push({ type, soft: Number(m[2]), hard: Number(m[3]) });
  }
  return out;
}

/** `requested` (`--ulimit`) replaces the inherited values of the same type, never above the current hard limit. */
export function containerRlimits(requested: OciRlimit[] = []): OciRlimit[] {
  const current = currentRlimits();
  const out = [...current];
  // With CAP_SYS_RESOURCE the runtime may raise hard limits; without it (root here) it fails.
  const canRaise = requested.length === 0 || heldCapabilities().includes("CAP_SYS_RESOURCE");
  const hard = canRaise ? [] : currentRlimits(ALL_NAMES);
  for (const r of requested) {
    const have = hard.find((c) => c.type === r.type);
    if (have && r.hard > have.hard) {
      const name = r.type.replace(/^RLIMIT_/, "").toLowerCase();
      throw new StrataError(
        "INVALID_ARGUMENT",
        `ulimit ${name}: hard limit ${r.hard} is above strata's own hard limit ${have.hard}, and raising it needs CAP_SYS_RESOURCE, which this process does not hold`,
        { details: { daemon: true } },
      );
    }
    if (r.soft > r.hard) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `ulimit soft limit must be less than hard limit: ${r.soft} > ${r.hard}`,
      );
    }
    const i = out.findIndex((c) => c.type === r.type);
    if (i >= 0) out[i] = r;
    else out.push(r);
  }
  return out;
}
