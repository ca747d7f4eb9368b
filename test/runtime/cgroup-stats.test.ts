/**
 * Reading a cgroup's counters into Docker's stats shapes, for both layouts:
 * v1 controller directories and a v2 directory, written as the kernel
 * writes those files (the hosts here are v1; pure-v2 hosts read the v2 files).
 * And docker/cli's client-side figures computed from such a sample.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { summarizeStats } from "../../src/container/index.ts";
import { emptyStats } from "../../src/container/stats.ts";
import { readCgroupStats } from "../../src/runtime/index.ts";
import { tempDir } from "../support/tmp.ts";

function files(dir: string, content: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(content)) writeFileSync(join(dir, name), text);
  return dir;
}

test("cgroup v1: cpuacct ticks to nanoseconds, memory.stat keys, pids, throttle blkio without the Total line", () => {
  const root = tempDir();
  const v1 = new Map([
    [
      "cpuacct",
      files(join(root, "cpuacct"), {
        "cpuacct.usage": "5050602\n",
        "cpuacct.usage_percpu": "4241879 808723 \n",
        "cpuacct.stat": "user 3\nsystem 2\n",
      }),
    ],
    ["cpu", files(join(root, "cpu"), { "cpu.stat": "nr_periods 4\nnr_throttled 1\nthrottled_time 77\n" })],
    [
      "memory",
      files(join(root, "memory"), {
        "memory.usage_in_bytes": "348160\n",
        "memory.max_usage_in_bytes": "708608\n",
        "memory.limit_in_bytes": "67108864\n",
        "memory.failcnt": "0\n",
        "memory.stat":
          "cache 4096\nrss 106496\ninactive_file 4096\ntotal_inactive_file 8192\nhierarchical_memory_limit 67108864\n",
      }),
    ],
    ["pids", files(join(root, "pids"), { "pids.current": "2\n", "pids.max": "max\n" })],
    [
      "blkio",
      files(join(root, "blkio"), {
        "blkio.throttle.io_service_bytes_recursive":
          "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\nTotal 12288\n",
        "blkio.throttle.io_serviced_recursive": "254:0 Read 1\n254:0 Write 2\nTotal 3\n",
      }),
    ],
  ]);
  const s = readCgroupStats({ v1 });
  assert.deepEqual(s.cpu, {
    cpu_usage: {
      total_usage: 5050602,
      percpu_usage: [4241879, 808723],
      usage_in_kernelmode: 20000000,
      usage_in_usermode: 30000000,
    },
    throttling_data: { periods: 4, throttled_periods: 1, throttled_time: 77 },
  });
  assert.equal(s.memory.usage, 348160);
  assert.equal(s.memory.max_usage, 708608);
  assert.equal(s.memory.limit, 67108864);
  assert.equal(s.memory.stats?.total_inactive_file, 8192);
  assert.equal(s.memory.stats?.rss, 106496);
  assert.equal(s.memory.stats?.total_unevictable, 0, "every key moby copies is there");
  assert.deepEqual(s.pids, { current: 2, limit: 0 });
  assert.deepEqual(s.blkio.io_service_bytes_recursive, [
    { major: 254, minor: 0, op: "Read", value: 4096 },
    { major: 254, minor: 0, op: "Write", value: 8192 },
    { major: 254, minor: 0, op: "Sync", value: 0 },
  ]);
  assert.equal(s.blkio.io_serviced_recursive?.length, 2);

  // docker/cli: usage minus total_inactive_file, the limit as given, block I/O by the op's first letter.
  const summary = summarizeStats({
    ...emptyStats({ id: "c".repeat(64), name: "web" } as never),
    memory_stats: s.memory,
    blkio_stats: s.blkio,
    pids_stats: s.pids,
    cpu_stats: { ...s.cpu, system_cpu_usage: 2_000_000_000, online_cpus: 2 },
    precpu_stats: {
      ...s.cpu,
      cpu_usage: { ...s.cpu.cpu_usage, total_usage: 50602 },
      system_cpu_usage: 1_000_000_000,
    },
    networks: {
      eth0: {
        rx_bytes: 10,
        rx_packets: 1,
        rx_errors: 0,
        rx_dropped: 0,
        tx_bytes: 20,
        tx_packets: 1,
        tx_errors: 0,
        tx_dropped: 0,
      },
    },
  });
  assert.deepEqual(summary, {
    name: "web",
    id: "c".repeat(64),
    cpuPercent: 1,
    memoryUsage: 348160 - 8192,
    memoryLimit: 67108864,
    memoryPercent: ((348160 - 8192) / 67108864) * 100,
    networkRx: 10,
    networkTx: 20,
    blockRead: 4096,
    blockWrite: 8192,
    pids: 2,
  });
});

test("cgroup v2: cpu.stat microseconds, memory.current/max, io.stat as read/write pairs", () => {
  const dir = files(join(tempDir(), "v2"), {
    "cpu.stat":
      "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
    "memory.current": "1048576\n",
    "memory.max": "max\n",
    "memory.stat": "anon 4096\ninactive_file 1024\n",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 3\noom_kill 1\n",
    "pids.current": "5\n",
    "pids.max": "100\n",
    "io.stat": "254:0 rbytes=4096 wbytes=12288 rios=1 wios=3 dbytes=0 dios=0\n",
  });
  const s = readCgroupStats({ v1: new Map(), v2: dir });
  assert.deepEqual(s.cpu.cpu_usage, {
    total_usage: 1500000,
    usage_in_kernelmode: 500000,
    usage_in_usermode: 1000000,
  });
  assert.equal(s.memory.usage, 1048576);
  assert.equal(s.memory.limit, Number.POSITIVE_INFINITY, "no limit: the caller caps it at the host's memory");
  assert.equal(s.memory.failcnt, 3);
  assert.equal(s.memory.stats?.inactive_file, 1024);
  assert.deepEqual(s.pids, { current: 5, limit: 100 });
  assert.deepEqual(s.blkio.io_service_bytes_recursive, [
    { major: 254, minor: 0, op: "read", value: 4096 },
    { major: 254, minor: 0, op: "write", value: 12288 },
  ]);
  const summary = summarizeStats({
    ...emptyStats({ id: "d".repeat(64), name: "db" } as never),
    memory_stats: { ...s.memory, limit: 1 << 30 },
    blkio_stats: s.blkio,
  });
  assert.equal(summary.memoryUsage, 1048576 - 1024, "v2: usage minus inactive_file");
  assert.deepEqual([summary.blockRead, summary.blockWrite, summary.cpuPercent], [4096, 12288, 0]);
});
