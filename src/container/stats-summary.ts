/**
 * What `docker stats` shows, computed from a sample as docker/cli's
 * stats_helpers.go does on the client side: the CPU share of the time the
 * host's CPUs had since the previous sample, memory without the inactive
 * page cache, and network and block I/O summed over interfaces and devices.
 */
import type { StatsResponse } from "./stats.ts";

export interface StatsSummary {
  /** The container's name without Docker's leading slash. */
  name: string;
  id: string;
  cpuPercent: number;
  memoryUsage: number;
  memoryLimit: number;
  memoryPercent: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

function cpuPercent(v: StatsResponse): number {
  const cpuDelta = v.cpu_stats.cpu_usage.total_usage - v.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (v.cpu_stats.system_cpu_usage ?? 0) - (v.precpu_stats.system_cpu_usage ?? 0);
  const online = v.cpu_stats.online_cpus || (v.cpu_stats.cpu_usage.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** Usage minus inactive file cache: `total_inactive_file` on cgroup v1, `inactive_file` on v2. */
function memoryUsage(v: StatsResponse): number {
  const usage = v.memory_stats.usage ?? 0;
  const stats = v.memory_stats.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function summarizeStats(v: StatsResponse): StatsSummary {
  const memory = memoryUsage(v);
  const limit = v.memory_stats.limit ?? 0;
  let networkRx = 0;
  let networkTx = 0;
  for (const n of Object.values(v.networks ?? {})) {
    networkRx += n.rx_bytes;
    networkTx += n.tx_bytes;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of v.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = e.op[0];
    if (op === "r" || op === "R") blockRead += e.value;
    else if (op === "w" || op === "W") blockWrite += e.value;
  }
  return {
    name: v.name.replace(/^\//, ""),
    id: v.id,
    cpuPercent: cpuPercent(v),
    memoryUsage: memory,
    memoryLimit: limit,
    memoryPercent: limit !== 0 ? (memory / limit) * 100 : 0,
    networkRx,
    networkTx,
    blockRead,
    blockWrite,
    pids: v.pids_stats.current ?? 0,
  };
}
