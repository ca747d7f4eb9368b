/**
 * A cgroup's counters in the shapes of Docker's stats JSON (cpu_stats,
 * memory_stats, pids_stats, blkio_stats), read the way containerd's cgroups
 * library reads them for moby: each resource from its v1 controller when the
 * host mounts one (the hybrid layout of these machines), else from the v2
 * tree. Values are JavaScript numbers: counters stay far below 2^53, and
 * v1's "no limit" (2^63 − 4096) only needs to compare above the host's memory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ContainerCgroup } from "./cgroup.ts";

export interface CpuUsage {
  total_usage: number;
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface CpuStats {
  cpu_usage: CpuUsage;
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface BlkioStats {
  io_service_bytes_recursive: BlkioEntry[] | null;
  io_serviced_recursive: BlkioEntry[] | null;
  io_queue_recursive: BlkioEntry[] | null;
  io_service_time_recursive: BlkioEntry[] | null;
  io_wait_time_recursive: BlkioEntry[] | null;
  io_merged_recursive: BlkioEntry[] | null;
  io_time_recursive: BlkioEntry[] | null;
  sectors_recursive: BlkioEntry[] | null;
}

export interface PidsStats {
  current?: number;
  limit?: number;
}

export interface CgroupStats {
  cpu: CpuStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
}

/** USER_HZ: cpuacct.stat counts clock ticks (containerd converts with 100 as well). */
const CLOCK_TICKS = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

function read(dir: string | undefined, file: string): string | null {
  if (!dir) return null;
  try {
    return readFileSync(join(dir, file), "utf8");
  } catch {
    return null;
  }
}

const num = (s: string | null | undefined): number => {
  const n = Number((s ?? "").trim());
  return Number.isFinite(n) ? n : 0;
};

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). */
function keyed(text: string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? "").split("\n")) {
    const [k, v] = line.split(" ");
    if (k && v !== undefined) m.set(k, num(v));
  }
  return m;
}

export function emptyBlkio(): BlkioStats {
  return {
    io_service_bytes_recursive: null,
    io_serviced_recursive: null,
    io_queue_recursive: null,
    io_service_time_recursive: null,
    io_wait_time_recursive: null,
    io_merged_recursive: null,
    io_time_recursive: null,
    sectors_recursive: null,
  };
}

export function emptyCpu(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function cpuStats(cg: ContainerCgroup): CpuStats {
  const acct = cg.v1.get("cpuacct");
  if (acct) {
    const stat = keyed(read(acct, "cpuacct.stat"));
    const throttle = keyed(read(cg.v1.get("cpu"), "cpu.stat"));
    const percpu = (read(acct, "cpuacct.usage_percpu") ?? "").trim().split(/\s+/).filter(Boolean).map(num);
    return {
      cpu_usage: {
        total_usage: num(read(acct, "cpuacct.usage")),
        ...(percpu.length > 0 ? { percpu_usage: percpu } : {}),
        usage_in_kernelmode: (stat.get("system") ?? 0) * NS_PER_TICK,
        usage_in_usermode: (stat.get("user") ?? 0) * NS_PER_TICK,
      },
      throttling_data: {
        periods: throttle.get("nr_periods") ?? 0,
        throttled_periods: throttle.get("nr_throttled") ?? 0,
        throttled_time: throttle.get("throttled_time") ?? 0,
      },
    };
  }
  // v2: microseconds in cpu.stat (present even without the cpu controller enabled).
  const stat = keyed(read(cg.v2, "cpu.stat"));
  return {
    cpu_usage: {
      total_usage: (stat.get("usage_usec") ?? 0) * 1000,
      usage_in_kernelmode: (stat.get("system_usec") ?? 0) * 1000,
      usage_in_usermode: (stat.get("user_usec") ?? 0) * 1000,
    },
    throttling_data: {
      periods: stat.get("nr_periods") ?? 0,
      throttled_periods: stat.get("nr_throttled") ?? 0,
      throttled_time: (stat.get("throttled_usec") ?? 0) * 1000,
    },
  };
}

/** The memory.stat keys moby copies for cgroup v1 (daemon/stats_unix.go statsV1). */
const V1_MEMORY_KEYS = [
  "cache",
  "rss",
  "rss_huge",
  "mapped_file",
  "dirty",
  "writeback",
  "pgpgin",
  "pgpgout",
  "pgfault",
  "pgmajfault",
  "inactive_anon",
  "active_anon",
  "inactive_file",
  "active_file",
  "unevictable",
  "hierarchical_memory_limit",
  "hierarchical_memsw_limit",
];

/** …and for cgroup v2 (statsV2). */
const V2_MEMORY_KEYS = [
  "anon",
  "file",
  "kernel_stack",
  "slab",
  "sock",
  "shmem",
  "file_mapped",
  "file_dirty",
  "file_writeback",
  "anon_thp",
  "inactive_anon",
  "active_anon",
  "inactive_file",
  "active_file",
  "unevictable",
  "slab_reclaimable",
  "slab_unreclaimable",
  "pgfault",
  "pgmajfault",
  "workingset_refault",
  "workingset_activate",
  "workingset_nodereclaim",
  "pgrefill",
  "pgscan",
  "pgsteal",
  "pgactivate",
  "pgdeactivate",
  "pglazyfree",
  "pglazyfreed",
  "thp_fault_alloc",
  "thp_collapse_alloc",
];

function pick(stat: Map<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, stat.get(k) ?? 0]));
}

function memoryStats(cg: ContainerCgroup): MemoryStats {
  const v1 = cg.v1.get("memory");
  if (v1) {
    const stat = keyed(read(v1, "memory.stat"));
    const totals = V1_MEMORY_KEYS.filter((k) => !k.startsWith("hierarchical")).map((k) => `total_${k}`);
    return {
      usage: num(read(v1, "memory.usage_in_bytes")),
      max_usage: num(read(v1, "memory.max_usage_in_bytes")),
      stats: pick(stat, [...V1_MEMORY_KEYS, ...totals]),
      failcnt: num(read(v1, "memory.failcnt")),
      limit: num(read(v1, "memory.limit_in_bytes")),
    };
  }
  const max = read(cg.v2, "memory.max")?.trim();
  return {
    usage: num(read(cg.v2, "memory.current")),
    stats: pick(keyed(read(cg.v2, "memory.stat")), V2_MEMORY_KEYS),
    failcnt: keyed(read(cg.v2, "memory.events")).get("oom") ?? 0,
    // "max" is no limit: the caller caps it at the host's memory, as moby does.
    limit: max === "max" ? Number.POSITIVE_INFINITY : num(max),
  };
}

function pidsStats(cg: ContainerCgroup): PidsStats {
  const dir = cg.v1.get("pids") ?? cg.v2;
  const max = read(dir, "pids.max")?.trim();
  return { current: num(read(dir, "pids.current")), limit: max === "max" ? 0 : num(max) };
}

/** v1 blkio lines `MAJ:MIN Op value`; the device-less `Total` line is skipped, as containerd does. */
function blkioEntries(text: string | null): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? "").split("\n")) {
    const f = line.split(" ");
    if (f.length !== 3) continue;
    const [major, minor] = (f[0] as string).split(":").map(Number);
    out.push({ major: major ?? 0, minor: minor ?? 0, op: f[1] as string, value: num(f[2]) });
  }
  return out;
}

function blkioStats(cg: ContainerCgroup): BlkioStats {
  const stats = emptyBlkio();
  const v1 = cg.v1.get("blkio");
  if (v1) {
    // CFQ's own files only where that scheduler exists; the throttle files always (containerd's order).
    const cfq = read(v1, "blkio.io_serviced_recursive") !== null;
    const bytes = cfq ? blkioEntries(read(v1, "blkio.io_service_bytes_recursive")) : [];
    const ios = cfq ? blkioEntries(read(v1, "blkio.io_serviced_recursive")) : [];
    stats.io_service_bytes_recursive = [
      ...bytes,
      ...blkioEntries(read(v1, "blkio.throttle.io_service_bytes_recursive")),
    ];
    stats.io_serviced_recursive = [...ios, ...blkioEntries(read(v1, "blkio.throttle.io_serviced_recursive"))];
    return stats;
  }
  // v2 io.stat: `MAJ:MIN rbytes=… wbytes=… rios=… wios=…`, as read/write pairs.
  const entries: BlkioEntry[] = [];
  for (const line of (read(cg.v2, "io.stat") ?? "").split("\n")) {
    const [dev, ...kv] = line.split(" ");
    if (!dev || kv.length === 0) continue;
    const [major, minor] = dev.split(":").map(Number);
    const v = new Map(kv.map((p) => p.split("=") as [string, string]));
    entries.push(
      { major: major ?? 0, minor: minor ?? 0, op: "read", value: num(v.get("rbytes")) },
      { major: major ?? 0, minor: minor ?? 0, op: "write", value: num(v.get("wbytes")) },
    );
  }
  stats.io_service_bytes_recursive = entries.length > 0 ? entries : null;
  return stats;
}

export function readCgroupStats(cg: ContainerCgroup): CgroupStats {
  return { cpu: cpuStats(cg), memory: memoryStats(cg), pids: pidsStats(cg), blkio: blkioStats(cg) };
}
