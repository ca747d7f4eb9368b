/**
 * A container's cgroup limits: Docker's HostConfig resource fields checked
 * with the daemon's rules and messages (daemon/daemon_unix.go
 * verifyPlatformContainerResources) and turned into the OCI spec's
 * linux.resources, which crun writes to cgroup v1 files (memory.limit_in_bytes,
 * cpu.cfs_quota_us…) or their v2 equivalents (memory.max, cpu.max…). The same
 * document is what `crun update --resources` takes, so `update` reuses it.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { StrataError } from "../errors.ts";
import type { OciCgroupResources } from "./oci-spec.ts";

/** Docker's names; 0 (or null) means "not set". */
export interface ResourceLimits {
  Memory: number;
  /** -1 is unlimited swap; 0 with Memory set means twice Memory, as Docker does. */
  MemorySwap: number;
  NanoCpus: number;
  CpuShares: number;
  CpusetCpus: string;
  /** null (or ≤ 0) is unlimited. */
  PidsLimit: number | null;
}

export const NO_LIMITS: ResourceLimits = {
  Memory: 0,
  MemorySwap: 0,
  NanoCpus: 0,
  CpuShares: 0,
  CpusetCpus: "",
  PidsLimit: null,
};

/** The kernel refuses memory cgroups smaller than this (Docker's linuxMinMemory). */
const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

/** Docker's daemon makes these checks, so its CLI shows them as `Error response from daemon`. */
const invalid = (message: string) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });

/** `0-2,4` → the CPU numbers; null when it is not a cpuset list. */
export function parseCpuset(list: string): number[] | null {
  const out: number[] = [];
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return null;
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** The CPUs this host offers containers (the root cpuset, v1 or v2). */
function availableCpus(): string {
  for (const f of ["/sys/fs/cgroup/cpuset/cpuset.cpus", "/sys/fs/cgroup/cpuset.cpus.effective"]) {
    try {
      const text = readFileSync(f, "utf8").trim();
      if (text) return text;
    } catch {}
  }
  return `0-${availableParallelism() - 1}`;
}

/**
 * The limits as Docker stores them after its checks: a swap limit defaults
 * to twice the memory limit, shares are clamped to the kernel's range, and a
 * pids limit ≤ 0 means none. Throws Docker's message for what it refuses.
 */
export function checkLimits(r: ResourceLimits): ResourceLimits {
  const out = { ...r };
  if (r.Memory < 0 || r.MemorySwap < -1) throw invalid("invalid memory limit");
  if (r.Memory !== 0 && r.Memory < MIN_MEMORY) throw invalid("Minimum memory limit allowed is 6MB");
  if (r.Memory === 0 && r.MemorySwap > 0) {
    throw invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
  }
  if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory) {
    throw invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  if (r.Memory > 0 && r.MemorySwap === 0) out.MemorySwap = r.Memory * 2;
  const cpus = availableParallelism();
  if (r.NanoCpus < 0 || r.NanoCpus > cpus * 1e9) {
    throw invalid(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  }
  if (r.CpuShares < 0) out.CpuShares = MIN_SHARES;
  else if (r.CpuShares > 0 && r.CpuShares < MIN_SHARES) out.CpuShares = MIN_SHARES;
  else if (r.CpuShares > MAX_SHARES) out.CpuShares = MAX_SHARES;
  if (r.CpusetCpus) {
    const wanted = parseCpuset(r.CpusetCpus);
    if (!wanted) throw invalid(`Invalid value ${r.CpusetCpus} for cpuset cpus`);
    const available = availableCpus();
    const have = new Set(parseCpuset(available) ?? []);
    if (!wanted.every((c) => have.has(c))) {
      throw invalid(`Requested CPUs are not available - requested ${r.CpusetCpus}, available: ${available}`);
    }
  }
  if (r.PidsLimit !== null && r.PidsLimit <= 0) out.PidsLimit = null;
  return out;
}

/** linux.resources for the limits that are set (checkLimits' output). */
export function cgroupResources(r: ResourceLimits): OciCgroupResources {
  const out: OciCgroupResources = {};
  if (r.Memory > 0 || r.MemorySwap !== 0) {
    out.memory = {};
    if (r.Memory > 0) out.memory.limit = r.Memory;
    if (r.MemorySwap !== 0) out.memory.swap = r.MemorySwap;
  }
  const cpu: NonNullable<OciCgroupResources["cpu"]> = {};
  if (r.CpuShares > 0) cpu.shares = r.CpuShares;
  if (r.NanoCpus > 0) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((r.NanoCpus * CPU_PERIOD) / 1e9);
  }
  if (r.CpusetCpus) cpu.cpus = r.CpusetCpus;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.PidsLimit !== null && r.PidsLimit > 0) out.pids = { limit: r.PidsLimit };
  return out;
}
