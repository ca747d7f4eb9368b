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
