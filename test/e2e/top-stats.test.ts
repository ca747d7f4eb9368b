/**
 * `top` and `stats` against real containers (crun + conmon), from strata's
 * CLI and from the real docker CLI through `strata system service`.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type ApiService, docker, serviceRoot, startService } from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const { root, cleanup } = serviceRoot();
const IMAGE = "local/bb:top";
let svc: ApiService | undefined;

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function dockerOk(args: string[]): Promise<string> {
  assert.ok(svc);
  const r = await docker(svc, args);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The host's pids of the container's processes, from strata's own record. */
async function pidOf(name: string): Promise<string> {
  return (await ok(["inspect", "-f", "{{.State.Pid}}", name])).trim();
}

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), IMAGE]);
  // Two processes: sh stays (the trailing `wait`), its sleep is its child.
  await ok(["run", "-d", "--name", "busy", IMAGE, "sh", "-c", "sleep 1000 & wait"]);
  svc = await startService(root);
});

after(async () => {
  await svc?.stop();
  await cleanup();
});

test("top lists the container's processes in Docker's columns; ps options pass through", async () => {
  const pid = await pidOf("busy");
  const out = await ok(["top", "busy"]);
  const lines = out.trimEnd().split("\n");
  // tabwriter minwidth 20, padding 3: every column but the last starts 20 apart.
  assert.equal(
    lines[0],
    `${["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME"].map((t) => t.padEnd(20)).join("")}CMD`,
  );
  assert.equal(lines.length, 3, out);
  const rows = lines.slice(1).map((l) => l.split(/\s+/));
  assert.deepEqual(
    rows.map((r) => [r[0], r.slice(7).join(" ")]),
    [
      ["root", "sh -c sleep 1000 & wait"],
      ["root", "sleep 1000"],
    ],
  );
  assert.equal(rows[0]?.[1], pid);
  assert.equal(rows[1]?.[2], pid, "the sleep's parent is the container's init");

  assert.equal(
    await ok(["top", "busy", "-o", "pid,comm"]),
    `PID                 COMMAND\n${pid.padEnd(20)}sh\n${rows[1]?.[1]?.padEnd(20)}sleep\n`,
  );
  // A process started by exec joins the container's cgroup and is listed.
  const exec = strata(root, ["exec", "busy", "sleep", "3"]);
  let seen = "";
  for (let i = 0; i < 50 && !/sleep 3/.test(seen); i++) seen = await ok(["top", "busy", "-o", "pid,args"]);
  assert.match(seen, /sleep 3\n/);
  await exec;
});

test("top's refusals: Docker's words and exit codes", async () => {
  const renamed = await strata(root, ["top", "busy", "-o", "user=PID"]);
  assert.deepEqual(
    [renamed.stderr, renamed.code],
    ['Error response from daemon: specifying "user=PID" is not allowed\n', 1],
  );
  const bad = await strata(root, ["top", "busy", "--bogus"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^Error response from daemon: ps: error: unknown gnu long option\n$/);
  const missing = await strata(root, ["top", "nope"]);
  assert.deepEqual(
    [missing.stderr, missing.code],
    ["Error response from daemon: No such container: nope\n", 1],
  );
  await ok(["create", "--name", "idle", IMAGE, "true"]);
  const id = (await ok(["inspect", "-f", "{{.Id}}", "idle"])).trim();
  const stopped = await strata(root, ["top", "idle"]);
  assert.deepEqual(
    [stopped.stderr, stopped.code],
    [`Error response from daemon: Container ${id} is not running\n`, 1],
  );
});

test("docker top through the API: the same table, ps_args passed on", async () => {
  const pid = await pidOf("busy");
  const out = await dockerOk(["top", "busy"]);
  assert.match(out, /^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD\n/);
  assert.match(out, new RegExp(`\\nroot {16}${pid} .*sh -c sleep 1000 & wait\\n`));
  assert.equal((await dockerOk(["top", "busy", "-o", "pid"])).split("\n")[0]?.trim(), "PID");
  const stopped = await docker(svc as ApiService, ["top", "idle"]);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /is not running/);
});

const STATS_HEADER = /^CONTAINER ID {3}NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS\n/;

test("stats --no-stream: Docker's columns from the cgroup: CPU of a busy loop, the memory limit, PIDs", async () => {
  const id = (
    await ok(["run", "-d", "--name", "hog", "-m", "64m", IMAGE, "sh", "-c", "while :; do :; done"])
  ).trim();
  const out = await ok(["stats", "--no-stream", "hog", "busy"]);
  assert.match(out, STATS_HEADER);
  const [, hog, busy] = out.trimEnd().split("\n");
  const cells = (line = "") => line.split(/ {3,}/);
  const h = cells(hog);
  assert.equal(h[0], id.slice(0, 12));
  assert.equal(h[1], "hog");
  assert.ok(Number.parseFloat(h[2] ?? "") > 5, `a busy loop uses CPU: ${hog}`);
  assert.match(h[3] ?? "", /^\d+(\.\d+)?[KM]iB \/ 64MiB$/);
  assert.match(h[4] ?? "", /^\d+\.\d\d%$/);
  assert.match(h[5] ?? "", /^\d+(\.\d+)?k?B \/ \d+(\.\d+)?k?B$/, "bridge network: eth0's counters");
  assert.equal(h[7], "1");
  const b = cells(busy);
  assert.equal(b[7], "2", `sh and its sleep: ${busy}`);
  assert.match(b[3] ?? "", /GiB$/, "no limit: the host's memory");

  const json = (await ok(["stats", "--no-stream", "--no-trunc", "--format", "json", "hog"])).trim();
  const row = JSON.parse(json) as Record<string, string>;
  assert.deepEqual(Object.keys(row), [
    "BlockIO",
    "CPUPerc",
    "Container",
    "ID",
    "MemPerc",
    "MemUsage",
    "Name",
    "NetIO",
    "PIDs",
  ]);
  assert.deepEqual([row.ID, row.Container, row.PIDs], [id, "hog", "1"]);
  assert.equal(await ok(["stats", "--no-stream", "--format", "{{.Name}}: {{.PIDs}}", "busy"]), "busy: 2\n");
  // Without names: the running containers only (-a adds the created one, all zeros).
  const all = await ok([
    "stats",
    "--no-stream",
    "-a",
    "--format",
    "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}",
  ]);
  assert.match(all, /^idle 0\.00% 0B \/ 0B 0$/m);
  assert.doesNotMatch(await ok(["stats", "--no-stream", "--format", "{{.Name}}"]), /idle/);
  await ok(["rm", "-f", "hog"]);
});

test("stats refusals: a missing container fails the command with Docker's words", async () => {
  const r = await strata(root, ["stats", "--no-stream", "busy", "nope"]);
  assert.deepEqual(
    [r.stdout, r.stderr, r.code],
    ["", "Error response from daemon: No such container: nope\n", 1],
  );
  const s = await strata(root, ["stats", "nope"]);
  assert.deepEqual([s.stderr, s.code], ["Error response from daemon: No such container: nope\n", 1]);
});

test("stats streams: the table redrawn in place every half second", async () => {
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("../support/cli.ts");
  const child = spawn(process.execPath, [CLI, "--root", root, "stats", "busy"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const frames = () => out.split("\x1b[J").length - 1;
  for (let i = 0; i < 200 && frames() < 3; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGTERM");
  assert.ok(frames() >= 3, `three frames: ${JSON.stringify(out)}`);
  const frame = out.split("\x1b[J")[1] ?? "";
  const lines = frame.split("\n");
  assert.ok(frame.startsWith("\x1b[HCONTAINER ID"), JSON.stringify(frame));
  assert.match(lines[1] ?? "", /^[0-9a-f]{12} {3}busy .* 2\x1b\[K$/);
});

test("docker stats --no-stream through the API, and the stats JSON in Docker's shape (one sample, streamed)", async () => {
  const out = await dockerOk(["stats", "--no-stream", "busy"]);
  assert.match(out, STATS_HEADER);
  assert.match(out, /\n[0-9a-f]{12} {3}busy +\d+\.\d\d% +[\d.]+[KM]iB \/ [\d.]+GiB +\d+\.\d\d% +.* 2\n$/);
  const { request } = await import("node:http");
  const get = (path: string, lines: number) =>
    new Promise<string[]>((resolve, reject) => {
      const req = request({ socketPath: (svc as ApiService).socket, path }, (res) => {
        let data = "";
        res.on("data", (d) => {
          data += d;
          if (data.split("\n").length > lines) {
            req.destroy();
            resolve(data.split("\n").slice(0, lines));
          }
        });
        res.on("end", () => resolve(data.split("\n").slice(0, lines)));
      });
      req.on("error", reject);
      req.end();
    });
  const [one = ""] = await get("/v1.44/containers/busy/stats?stream=false", 1);
  const v = JSON.parse(one);
  assert.deepEqual(Object.keys(v), [
    "read",
    "preread",
    "pids_stats",
    "blkio_stats",
    "num_procs",
    "storage_stats",
    "cpu_stats",
    "precpu_stats",
    "memory_stats",
    "name",
    "id",
    "networks",
  ]);
  assert.equal(v.name, "/busy");
  assert.equal(v.pids_stats.current, 2);
  assert.ok(v.cpu_stats.system_cpu_usage > v.precpu_stats.system_cpu_usage, "precpu is the sample before");
  assert.ok(v.cpu_stats.online_cpus >= 1);
  assert.ok(v.memory_stats.usage > 0 && v.memory_stats.limit > 0);
  assert.ok(v.networks.eth0.rx_bytes >= 0);
  const streamed = (await get("/containers/busy/stats", 2)).map((l) => JSON.parse(l));
  assert.equal(streamed[0].preread, "0001-01-01T00:00:00Z", "the first streamed sample has no previous one");
  assert.equal(streamed[1].preread, streamed[0].read);
  const [idle = ""] = await get("/containers/idle/stats?stream=false", 1);
  assert.deepEqual(JSON.parse(idle).memory_stats, {}, "a container that does not run: the empty sample");
});
