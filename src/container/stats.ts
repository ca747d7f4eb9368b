/**
 * `stats`: samples of a container's resource use in Docker's StatsResponse
 * shape, taken from its cgroup, the host's /proc/stat (system CPU time, for
 * the CPU share) and its network namespace's /proc/PID/net/dev. Docker's
 * daemon samples every second and hands each sample the previous one's CPU
 * figures (precpu_stats); strata has no daemon, so the caller's own loop
 * does the same. A container that is not running yields Docker's empty
 * sample (id and name only).
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { rfc3339Nano } from "../format/time.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import {
  type BlkioStats,
  type CpuStats,
  cgroupOf,
  emptyBlkio,
  emptyCpu,
  type MemoryStats,
  type PidsStats,
  readCgroupStats,
} from "../runtime/index.ts";

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** Docker's types.StatsJSON (API /containers/{id}/stats), keys in the order Go writes them. */
export interface StatsResponse {
  read: string;
  preread: string;
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  name: string;
  id: string;
  networks?: Record<string, NetworkStats>;
}

/** Go's zero time.Time, as an empty sample's `read` and a first sample's `preread`. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Docker's sample of a container that does not run: its id and name, every figure zero. */
export function emptyStats(c: ContainerRecord): StatsResponse {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: emptyBlkio(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: emptyCpu(),
    precpu_stats: emptyCpu(),
    memory_stats: {},
    name: `/${c.name}`,
    id: c.id,
  };
}

/** The host's CPU time in nanoseconds (first 7 fields of /proc/stat's `cpu` line) and its CPU count. */
function systemCpu(): { usage: number; online: number } {
  let usage = 0;
  let online = 0;
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    if (!line.startsWith("cpu")) break;
    if (line[3] === " ") {
      const ticks = line.split(/\s+/).slice(1, 8).map(Number);
      usage = (ticks.reduce((a, b) => a + b, 0) * 1e9) / 100;
    } else online++;
  }
  return { usage, online };
}

/** Per-interface counters of the container's network namespace, without loopback (Docker lists its endpoints). */
function networkStats(pid: number): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  const lines = readFileSync(`/proc/${pid}/net/dev`, "utf8").split("\n").slice(2);
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    out[name] = {
      rx_bytes: v[0] ?? 0,
      rx_packets: v[1] ?? 0,
      rx_errors: v[2] ?? 0,
      rx_dropped: v[3] ?? 0,
      tx_bytes: v[8] ?? 0,
      tx_packets: v[9] ?? 0,
      tx_errors: v[10] ?? 0,
      tx_dropped: v[11] ?? 0,
    };
  }
  return out;
}

/** One sample of running container `c` (precpu_stats empty); its empty sample when the process is gone. */
export function sampleStats(c: ContainerRecord): StatsResponse {
  let cg: ReturnType<typeof cgroupOf>;
  try {
    cg = cgroupOf(c.pid);
  } catch {
    return emptyStats(c);
  }
  const read = rfc3339Nano({ trim: true });
  const counters = readCgroupStats(cg);
  const system = systemCpu();
  const memory = counters.memory;
  // moby: a limit above the host's memory (no limit) is shown as the host's memory.
  if (memory.limit !== undefined && memory.limit > totalmem()) memory.limit = totalmem();
  const sample: StatsResponse = {
    ...emptyStats(c),
    read,
    pids_stats: counters.pids,
    blkio_stats: counters.blkio,
    cpu_stats: { ...counters.cpu, system_cpu_usage: system.usage, online_cpus: system.online },
    memory_stats: memory,
  };
  const mode = c.config.NetworkMode;
  if (mode !== "host" && mode !== "none") {
    try {
      const nets = networkStats(c.pid);
      if (Object.keys(nets).length > 0) sample.networks = nets;
    } catch {
      // The process ended between the two reads: no network figures.
    }
  }
  return sample;
}

/** `next` given the previous sample's CPU figures and time, as the daemon hands them on. */
export function withPrevious(next: StatsResponse, previous: StatsResponse | undefined): StatsResponse {
  if (!previous) return next;
  return { ...next, preread: previous.read, precpu_stats: previous.cpu_stats };
}

export interface StatsStreamOptions {
  /** Time between samples (Docker's collector: 1 s). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Samples every `intervalMs` until `signal` aborts, each with the previous
 * one's CPU figures. `current` re-reads the record, so a container that
 * stops mid-stream yields empty samples from then on, as Docker's does; the
 * stream ends when the container is removed (`current` gives null).
 */
export async function* streamStats(
  current: () => Promise<ContainerRecord | null>,
  running: (c: ContainerRecord) => boolean,
  opts: StatsStreamOptions = {},
): AsyncGenerator<StatsResponse> {
  let previous: StatsResponse | undefined;
  while (!opts.signal?.aborted) {
    const c = await current();
    if (!c) return;
    const next = running(c) ? sampleStats(c) : emptyStats(c);
    yield withPrevious(next, previous?.read === ZERO_TIME ? undefined : previous);
    previous = next;
    await sleep(opts.intervalMs ?? 1000, undefined, { signal: opts.signal }).catch(() => {});
  }
}
