/**
 * restart, pause/unpause (the runtime's freezer), export and logs
 * --since/--until against real containers.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI, strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const IMAGE = "local/bb:cmds";

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** No process (conmon, its exit command) still names the container: then its directory can go. */
function monitorsOf(id: string): boolean {
  return readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(id);
    } catch {
      return false;
    }
  });
}

/** rm -f, then wait until conmon and its exit command are gone (they touch the store until then). */
async function remove(name: string): Promise<void> {
  const id = (await ok(["inspect", "-f", "{{.Id}}", name])).trim();
  await ok(["rm", "-f", name]);
  await until(`the monitors of ${name} to end`, async () => !monitorsOf(id));
}

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), IMAGE]);
});

test("pause freezes the processes (cgroup freezer), unpause thaws them; Docker's refusals", async () => {
  const id = (
    await ok([
      "run",
      "-d",
      "--name",
      "frozen",
      IMAGE,
      "sh",
      "-c",
      "while true; do date +%s%N > /tick; sleep 0.05; done",
    ])
  ).trim();
  assert.equal(await ok(["pause", "frozen"]), "frozen\n");
  assert.match(await ok(["ps", "--format", "{{.Status}}"]), /^Up .* \(Paused\)\n$/);
  assert.equal(await ok(["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "frozen"]), "paused true\n");
  const tick = join(root, "containers", id, "merged", "tick");
  const frozenAt = readFileSync(tick, "utf8");
  await sleep(400);
  assert.equal(readFileSync(tick, "utf8"), frozenAt, "nothing ran while paused");
  const again = await strata(root, ["pause", "frozen"]);
  assert.deepEqual(
    [again.stderr, again.code],
    [`Error response from daemon: Container ${id} is already paused\n`, 1],
  );
  assert.equal(await ok(["unpause", "frozen"]), "frozen\n");
  await until("the loop to run again", async () => readFileSync(tick, "utf8") !== frozenAt);
  const notPaused = await strata(root, ["unpause", "frozen"]);
  assert.deepEqual(
    [notPaused.stderr, notPaused.code],
    [`Error response from daemon: Container ${id} is not paused\n`, 1],
  );
  // A paused container can still be stopped.
  await ok(["pause", "frozen"]);
  await ok(["stop", "-t", "1", "frozen"]);
  assert.match(await ok(["ps", "-a", "--format", "{{.Status}}"]), /^Exited \(137\)/);
  const stopped = await strata(root, ["pause", "frozen"]);
  assert.deepEqual(
    [stopped.stderr, stopped.code],
    [`Error response from daemon: Container ${id} is not running\n`, 1],
  );
  await remove("frozen");
});

test("restart stops and starts again on the same writable layer; a stopped container is started", async () => {
  await ok(["run", "-d", "--name", "again", IMAGE, "sh", "-c", "echo run >> /runs; sleep 600"]);
  await until(
    "the first run",
    async () => (await strata(root, ["exec", "again", "cat", "/runs"])).stdout === "run\n",
  );
  const started = await ok(["inspect", "-f", "{{.State.StartedAt}}", "again"]);
  assert.equal(await ok(["restart", "-t", "0", "again"]), "again\n");
  assert.match(await ok(["ps", "--format", "{{.Names}} {{.Status}}"]), /^again Up /);
  assert.notEqual(await ok(["inspect", "-f", "{{.State.StartedAt}}", "again"]), started);
  await until(
    "the second run",
    async () => (await strata(root, ["exec", "again", "cat", "/runs"])).stdout === "run\nrun\n",
  );
  await ok(["stop", "-t", "0", "again"]);
  assert.equal(await ok(["restart", "again"]), "again\n");
  assert.match(await ok(["ps", "--format", "{{.Names}}"]), /^again\n$/);
  await remove("again");
});

test("export writes the container's file system (image and writable layer) as a tar", async () => {
  await ok(["run", "--name", "exp", IMAGE, "sh", "-c", "echo mine > /mine.txt"]);
  const file = join(tempDir(), "exp.tar");
  await ok(["export", "-o", file, "exp"]);
  const names = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n");
  assert.ok(names.includes("mine.txt"), "the writable layer's file");
  assert.ok(names.includes("bin/busybox"), "the image's files");
  assert.ok(!names.some((n) => n.startsWith("./")), "names without ./ as Docker's");
  const piped = execFileSync(process.execPath, [CLI, "--root", root, "export", "exp"], {
    maxBuffer: 1 << 26,
  });
  assert.equal(execFileSync("tar", ["-xOf", "-", "mine.txt"], { input: piped, encoding: "utf8" }), "mine\n");
  await remove("exp");
});

test("logs --since and --until select by time; a bad value is Docker's message", async () => {
  await ok(["run", "-d", "--name", "talk", IMAGE, "sh", "-c", "echo early; sleep 1.5; echo late; sleep 600"]);
  await until("both lines", async () => (await ok(["logs", "talk"])) === "early\nlate\n");
  const stamped = (await ok(["logs", "-t", "talk"])).split("\n");
  const lateAt = Date.parse((stamped[1] as string).split(" ")[0] as string);
  const between = ((lateAt - 500) / 1000).toFixed(3);
  assert.equal(await ok(["logs", "--since", between, "talk"]), "late\n");
  assert.equal(await ok(["logs", "--until", between, "talk"]), "early\n");
  assert.equal(await ok(["logs", "--since", "1h", "talk"]), "early\nlate\n");
  const bad = await strata(root, ["logs", "--since", "yesterday", "talk"]);
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr,
    'Error response from daemon: invalid value for "since": failed to parse value as time or duration: "yesterday"\n',
  );
  await remove("talk");
});
