/**
 * Resource limits of `run`/`create` seen from inside real containers (the
 * cgroup files, v1 or v2, whichever this host mounts), in `inspect` as
 * Docker shows them, changed by `update` while the container runs, and
 * Docker's messages for values it refuses. Also `--ulimit`, `--shm-size`,
 * `--env-file`, `--label`, `--stop-signal` and `--stop-timeout`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { CLI, strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const dir = tempDir();
const IMAGE = "local/bb:limits";

/** A pure cgroup v2 host; otherwise v1 hierarchies (this machine: v1 beside a unified mount). */
const V2 = existsSync("/sys/fs/cgroup/cgroup.controllers");

/** Each limit's file inside the container, and how the value there reads. */
const FILES = V2
  ? {
      memory: "memory.max",
      swap: "memory.swap.max",
      cpu: "cpu.max",
      shares: "cpu.weight",
      cpuset: "cpuset.cpus",
      pids: "pids.max",
    }
  : {
      memory: "memory/memory.limit_in_bytes",
      swap: "memory/memory.memsw.limit_in_bytes",
      cpu: "cpu/cpu.cfs_quota_us",
      shares: "cpu/cpu.shares",
      cpuset: "cpuset/cpuset.cpus",
      pids: "pids/pids.max",
    };
const read = (...names: (keyof typeof FILES)[]) =>
  names.map((n) => `cat /sys/fs/cgroup/${FILES[n]}`).join("; ");

before(async () => {
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  const r = await strata(root, ["import", join(dir, "bb.tar"), IMAGE]);
  assert.equal(r.code, 0, r.stderr);
});

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const sh = (flags: string[], script: string) => ok(["run", "--rm", ...flags, IMAGE, "sh", "-c", script]);

test("memory, swap, cpus, cpu-shares, cpuset and pids limits reach the container's cgroups", async () => {
  const out = await sh(
    ["--memory", "64m", "--cpus", "1.5", "--cpu-shares", "512", "--cpuset-cpus", "0", "--pids-limit", "50"],
    read("memory", "swap", "cpu", "shares", "cpuset", "pids"),
  );
  // Docker gives a container with --memory and no --memory-swap twice that in memory+swap.
  const expected = V2
    ? ["67108864", "67108864", "150000 100000", "20", "0", "50"]
    : ["67108864", "134217728", "150000", "512", "0", "50"];
  assert.equal(out, `${expected.join("\n")}\n`);
  const swap = await sh(["-m", "32m", "--memory-swap", "-1"], read("swap"));
  assert.match(swap, V2 ? /^max\n$/ : /^\d{15,}\n$/, "unlimited swap");
  const unlimited = await sh([], read("memory", "pids"));
  assert.match(unlimited, V2 ? /^max\nmax\n$/ : /^\d{15,}\nmax\n$/);
});

test("inspect shows the limits in HostConfig as Docker does", async () => {
  const id = (
    await ok([
      "create",
      "-m",
      "64m",
      "--cpus",
      "0.5",
      "--pids-limit",
      "30",
      "--ulimit",
      "nofile=100:200",
      "--shm-size",
      "128m",
      "--cap-add",
      "NET_ADMIN",
      "--read-only",
      "--init",
      IMAGE,
    ])
  ).trim();
  const host = JSON.parse(await ok(["inspect", "--format", "{{json .HostConfig}}", id]));
  assert.equal(host.Memory, 67108864);
  assert.equal(host.MemorySwap, 134217728);
  assert.equal(host.NanoCpus, 500000000);
  assert.equal(host.CpuShares, 0);
  assert.equal(host.PidsLimit, 30);
  assert.deepEqual(host.Ulimits, [{ Name: "nofile", Soft: 100, Hard: 200 }]);
  assert.equal(host.ShmSize, 134217728);
  assert.deepEqual(host.CapAdd, ["NET_ADMIN"]);
  assert.equal(host.CapDrop, null);
  assert.equal(host.ReadonlyRootfs, true);
  assert.equal(host.Init, true);
  assert.equal(host.Privileged, false);
  const plainId = (await ok(["create", IMAGE])).trim();
  const plain = JSON.parse(await ok(["inspect", "--format", "{{json .HostConfig}}", plainId]));
  assert.equal(plain.Memory, 0);
  assert.equal(plain.PidsLimit, null);
  assert.equal(plain.ShmSize, 67108864);
  assert.equal(plain.Init, null);
  await ok(["rm", id, plainId]);
});

test("update changes a running container's limits, and a stopped one's for its next start", async () => {
  await ok(["run", "-d", "--name", "upd", "-m", "64m", IMAGE, "sleep", "600"]);
  assert.equal(
    await ok([
      "update",
      "-m",
      "96m",
      "--memory-swap",
      "256m",
      "--cpus",
      "1",
      "--pids-limit",
      "20",
      "--cpu-shares",
      "100",
      "upd",
    ]),
    "upd\n",
  );
  const out = await ok(["exec", "upd", "sh", "-c", read("memory", "swap", "cpu", "pids", "shares")]);
  const expected = V2
    ? ["100663296", String(256 * 2 ** 20 - 96 * 2 ** 20), "100000 100000", "20", "4"]
    : ["100663296", "268435456", "100000", "20", "100"];
  assert.equal(out, `${expected.join("\n")}\n`);
  const host = JSON.parse(await ok(["inspect", "--format", "{{json .HostConfig}}", "upd"]));
  assert.equal(host.Memory, 100663296);
  assert.equal(host.MemorySwap, 268435456);
  assert.equal(host.PidsLimit, 20);

  const over = await strata(root, ["update", "-m", "512m", "upd"]);
  assert.equal(over.code, 1);
  assert.equal(
    over.stderr,
    "Error response from daemon: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n",
  );
  const none = await strata(root, ["update", "upd"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /You must provide one or more flags when using this command\./);

  await ok(["stop", "-t", "0", "upd"]);
  await ok(["update", "--pids-limit", "7", "upd"]);
  await ok(["start", "upd"]);
  assert.equal(await ok(["exec", "upd", "sh", "-c", read("pids")]), "7\n");
  await ok(["rm", "-f", "upd"]);
});

test("values Docker refuses: its messages, exit 125, nothing created", async () => {
  const cases: [string[], RegExp][] = [
    [["-m", "5m"], /^strata: Error response from daemon: Minimum memory limit allowed is 6MB\.\n/],
    [
      ["-m", "lots"],
      /^invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\nSee 'strata run --help'\.\n$/,
    ],
    [
      ["--memory-swap", "1g"],
      /You should always set the Memory limit when using Memoryswap limit, see usage\./,
    ],
    [
      ["-m", "64m", "--memory-swap", "32m"],
      /Minimum memoryswap limit should be larger than memory limit, see usage\./,
    ],
    [["--cpus", "99"], /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available\./],
    [["--cpus", "x"], /invalid argument "x" for "--cpus" flag: failed to parse x as a rational number/],
    [["--cpuset-cpus", "a-b"], /Invalid value a-b for cpuset cpus/],
    [["--cpuset-cpus", "999"], /Requested CPUs are not available - requested 999, available: /],
    [["--pids-limit", "many"], /invalid argument "many" for "--pids-limit" flag: strconv\.ParseInt/],
    [
      ["--ulimit", "nofile"],
      /invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile/,
    ],
    [["--ulimit", "bogus=1"], /invalid ulimit type: bogus/],
    [["--ulimit", "nofile=10:5"], /ulimit soft limit must be less than hard limit: 10 > 5/],
    [["--stop-signal", "SIGNOPE"], /Invalid signal: SIGNOPE/],
  ];
  for (const [flags, message] of cases) {
    const r = await strata(root, ["run", "--rm", ...flags, IMAGE, "true"]);
    assert.equal(r.code, 125, `${flags.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, flags.join(" "));
  }
  assert.equal(await ok(["ps", "-aq"]), "", "nothing half-created");
});

test("--ulimit sets the limit; above strata's own hard limit it fails clearly (no CAP_SYS_RESOURCE)", async () => {
  assert.equal(await sh(["--ulimit", "nofile=512:1024"], "ulimit -n; ulimit -Hn"), "512\n1024\n");
  const own = Number(
    /^Max open files\s+\S+\s+(\d+)/m.exec(spawnSync("cat", ["/proc/self/limits"]).stdout.toString())?.[1],
  );
  const heldCaps =
    /^CapBnd:\s*(\S+)$/m.exec(spawnSync("cat", ["/proc/self/status"]).stdout.toString())?.[1] ?? "0";
  const canRaise = (BigInt(`0x${heldCaps}`) >> 24n) & 1n;
  if (!canRaise) {
    const r = await strata(root, ["run", "--rm", "--ulimit", `nofile=${own}:${own + 1}`, IMAGE, "true"]);
    assert.equal(r.code, 125);
    assert.match(
      r.stderr,
      new RegExp(
        `ulimit nofile: hard limit ${own + 1} is above strata's own hard limit ${own}, and raising it needs CAP_SYS_RESOURCE`,
      ),
    );
  }
});

test("--shm-size sizes /dev/shm", async () => {
  assert.match(await sh([], "df -k /dev/shm | tail -1"), /^shm +65536 /);
  assert.match(await sh(["--shm-size", "1g"], "df -k /dev/shm | tail -1"), /^shm +1048576 /);
});

test("--env-file (before -e), --label, --stop-signal and --stop-timeout", async () => {
  const env = join(dir, "vars.env");
  writeFileSync(env, "# a comment\nA=1\n\nB=from file\nFROM_HOST\nC=3\n");
  // Through `--`, as the installed bin runs: Node 20 would otherwise take `--env-file` for itself.
  const r = spawnSync(
    process.execPath,
    ["--", CLI, "--root", root, "run", "--rm", "--env-file", env, "-e", "C=4", IMAGE, "env"],
    { encoding: "utf8", env: { ...process.env, FROM_HOST: "here" } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^A=1$/m);
  assert.match(r.stdout, /^B=from file$/m);
  assert.match(r.stdout, /^FROM_HOST=here$/m);
  assert.match(r.stdout, /^C=4$/m);
  assert.doesNotMatch(r.stdout, /^C=3$/m);
  const missing = spawnSync(
    process.execPath,
    ["--", CLI, "--root", root, "run", "--rm", "--env-file=/nonexistent.env", IMAGE, "true"],
    { encoding: "utf8" },
  );
  assert.equal(missing.status, 125);
  assert.match(missing.stderr, /^strata: open \/nonexistent\.env: no such file or directory\.\n/);

  const script =
    "trap 'echo got INT; exit 3' INT; trap 'exit 9' TERM; echo ready; while true; do sleep 0.1; done";
  await ok([
    "run",
    "-d",
    "--name",
    "sig",
    "-l",
    "tier=web",
    "--label",
    "empty",
    "--stop-signal",
    "SIGINT",
    "--stop-timeout",
    "30",
    IMAGE,
    "sh",
    "-c",
    script,
  ]);
  const config = JSON.parse(await ok(["inspect", "--format", "{{json .Config}}", "sig"]));
  assert.deepEqual(config.Labels, { tier: "web", empty: "" });
  assert.equal(config.StopSignal, "SIGINT");
  assert.equal(config.StopTimeout, 30);
  for (let i = 0; i < 100 && !(await strata(root, ["logs", "sig"])).stdout.includes("ready"); i++) {
    await new Promise((res) => setTimeout(res, 100));
  }
  await ok(["stop", "sig"]);
  assert.equal(await ok(["wait", "sig"]), "3\n", "stopped by its stop signal, not SIGTERM");
  await ok(["rm", "sig"]);

  // --stop-timeout 0: stop kills at once instead of sending the stop signal and waiting.
  await ok([
    "run",
    "-d",
    "--name",
    "now",
    "--stop-signal",
    "INT",
    "--stop-timeout",
    "0",
    IMAGE,
    "sh",
    "-c",
    script,
  ]);
  await ok(["stop", "now"]);
  assert.equal(await ok(["wait", "now"]), "137\n");
  await ok(["rm", "now"]);
});
