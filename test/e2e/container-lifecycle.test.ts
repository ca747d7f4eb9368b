/**
 * Containers that outlive the CLI (conmon + crun): detached runs, logs, exec,
 * stop/kill/wait, restarts, forced removal, prune, inspect, and the truth in
 * `ps` after a run ended with nobody watching or its monitor was killed.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI, strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const IMAGE = "local/bb:1";

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  const r = await strata(root, ["import", join(dir, "bb.tar"), IMAGE]);
  assert.equal(r.code, 0, r.stderr);
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await strata(root, args, { input });
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function mounted(id: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8").includes(join(root, "containers", id, "merged"));
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("run -d outlives the CLI: logs, exec, stop, wait, start again, rm -f", async () => {
  const id = (
    await ok(["run", "-d", "--name", "web", IMAGE, "sh", "-c", "echo out; echo err >&2; sleep 600"])
  ).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(await ok(["ps"]), /"sh -c 'echo out; ec…" +.* Up .* web\n/);
  await until("the log", async () => (await strata(root, ["logs", "web"])).stdout === "out\n");
  const logs = await strata(root, ["logs", "web"]);
  assert.equal(logs.stderr, "err\n");
  assert.equal((await strata(root, ["logs", "--tail", "1", "web"])).stderr, "err\n");

  assert.equal(await ok(["exec", "web", "sh", "-c", "echo $HOSTNAME; pwd"]), `${id.slice(0, 12)}\n/\n`);
  assert.equal(await ok(["exec", "-i", "web", "cat"], "piped\n"), "piped\n");
  const missing = await strata(root, ["exec", "web", "nonexistent"]);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /exec: "nonexistent": executable file not found in \$PATH/);

  // `sleep` as pid 1 ignores SIGTERM: stop escalates to SIGKILL after -t.
  assert.equal(await ok(["stop", "-t", "1", "web"]), "web\n");
  assert.equal(await ok(["wait", "web"]), "137\n");
  assert.match(await ok(["ps", "-a"]), /Exited \(137\) .* web\n/);
  assert.equal(mounted(id), false, "the layers are unmounted once the container stopped");

  assert.equal(await ok(["start", "web"]), "web\n");
  assert.match(await ok(["ps"]), / Up .* web\n/);
  assert.equal(mounted(id), true);
  const refused = await strata(root, ["rm", "web"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container/);
  assert.equal(await ok(["rm", "-f", "web"]), "web\n");
  assert.equal(existsSync(join(root, "containers", id)), false);
  assert.equal(mounted(id), false);
  assert.equal(await ok(["ps", "-a", "-q"]), "");
});

test("kill sends the signal the process handles; a stopped container cannot be killed", async () => {
  const script = "trap 'exit 7' TERM; echo ready; while true; do sleep 0.1; done";
  await ok(["run", "-d", "--name", "trapper", IMAGE, "sh", "-c", script]);
  await until("the trap", async () => (await strata(root, ["logs", "trapper"])).stdout === "ready\n");
  assert.equal(await ok(["kill", "-s", "TERM", "trapper"]), "trapper\n");
  assert.equal(await ok(["wait", "trapper"]), "7\n");
  const again = await strata(root, ["kill", "trapper"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /Cannot kill container: trapper: Container [0-9a-f]{64} is not running/);
  await ok(["rm", "trapper"]);
});

test("a detached --rm container is removed when it exits, with nobody watching", async () => {
  const id = (await ok(["run", "-d", "--rm", IMAGE, "true"])).trim();
  // conmon's exit command (strata container cleanup) removes it without any other command.
  await until("the clean-up", async () => !existsSync(join(root, "containers", id)));
  assert.equal(mounted(id), false);
  assert.doesNotMatch(await ok(["ps", "-a", "-q", "--no-trunc"]), new RegExp(id));
});

test("ps tells the truth after the monitor was killed", async () => {
  const id = (await ok(["run", "-d", "--name", "orphan", IMAGE, "sleep", "600"])).trim();
  const dir = join(root, "containers", id, "userdata");
  const conmon = Number(readFileSync(join(dir, "conmon.pid"), "utf8"));
  const pid = Number(readFileSync(join(dir, "pidfile"), "utf8"));
  process.kill(conmon, "SIGKILL");
  process.kill(pid, "SIGKILL");
  await until("the monitor's end", async () => !existsSync(`/proc/${conmon}`));
  assert.match(await ok(["ps", "-a"]), /"sleep 600" +.* Exited \(255\) .* orphan\n/);
  assert.equal(mounted(id), false);
  await ok(["rm", "orphan"]);
});

test("run -i passes piped input; start of a running container changes nothing", async () => {
  assert.equal(await ok(["run", "-i", "--rm", IMAGE, "cat"], "through stdin\n"), "through stdin\n");
  await ok(["run", "-d", "--name", "twice", IMAGE, "sleep", "600"]);
  assert.equal(await ok(["start", "twice"]), "twice\n");
  assert.match(await ok(["ps"]), / Up .* twice\n/);
  await ok(["rm", "-f", "twice"]);
});

test("inspect shows Docker's container JSON; container prune removes only stopped ones", async () => {
  const done = await strata(root, ["run", "--name", "done", IMAGE, "sh", "-c", "echo 12345 > /f; exit 2"]);
  assert.deepEqual([done.code, done.stdout, done.stderr], [2, "", ""]);
  // biome-ignore lint/suspicious/noExplicitAny: Docker's JSON, checked field by field below
  const [c] = JSON.parse(await ok(["inspect", "--size", "done"])) as Array<Record<string, any>>;
  assert.equal(c?.Name, "/done");
  assert.equal(c?.State.Status, "exited");
  assert.equal(c?.State.ExitCode, 2);
  assert.equal(c?.State.Running, false);
  assert.deepEqual([c?.Path, c?.Args], ["sh", ["-c", "echo 12345 > /f; exit 2"]]);
  assert.equal(c?.GraphDriver.Name, "overlay2");
  assert.equal(c?.GraphDriver.Data.UpperDir, join(root, "containers", c?.Id, "upper"));
  assert.equal(c?.SizeRw, 6);
  assert.ok(c?.SizeRootFs > 1_000_000);
  assert.equal(await ok(["inspect", "-f", "{{.State.ExitCode}} {{.Config.Image}}", "done"]), `2 ${IMAGE}\n`);

  await ok(["run", "-d", "--name", "keeper", IMAGE, "sleep", "600"]);
  const pruned = await ok(["container", "prune", "-f"]);
  assert.match(pruned, new RegExp(`^Deleted Containers:\n${c?.Id}\n\nTotal reclaimed space: 6B\n$`));
  assert.match(await ok(["ps", "-a"]), /keeper\n$/);
  await ok(["rm", "-f", "keeper"]);
  const none = await strata(root, ["inspect", "nothing-here"]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, "Error: No such object: nothing-here\n");
});

test("concurrent runs of one image share its layers", async () => {
  const runs = await Promise.all(
    Array.from({ length: 4 }, (_, i) => strata(root, ["run", "--rm", IMAGE, "echo", `run ${i}`])),
  );
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `run ${i}\n`);
  }
  assert.equal(await ok(["ps", "-a", "-q"]), "");
});

test("commit turns a running container's changes into a new image on the same layers", async () => {
  await ok(["run", "-d", "--name", "changer", IMAGE, "sh", "-c", "echo data > /x; rm /bin/echo; sleep 600"]);
  await until("the change", async () => (await strata(root, ["diff", "changer"])).stdout.includes("A /x"));
  const id = (await ok(["commit", "-m", "my change", "changer", "local/committed:1"])).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.match(await ok(["ps"]), / Up .* changer\n/, "the container runs on after a paused commit");
  const [base, committed] = await Promise.all(
    [IMAGE, "local/committed:1"].map(async (ref) => JSON.parse(await ok(["image", "inspect", ref]))[0]),
  );
  assert.deepEqual(committed.RootFS.Layers.slice(0, -1), base.RootFS.Layers);
  assert.equal(committed.RootFS.Layers.length, base.RootFS.Layers.length + 1);
  const r = await strata(root, ["run", "--rm", "local/committed:1", "sh", "-c", "cat /x; ls /bin/echo"]);
  assert.equal(r.stdout, "data\n");
  assert.match(r.stderr, /No such file or directory/);
  assert.match(await ok(["history", "local/committed:1"]), /my change/);
  await ok(["rm", "-f", "changer"]);
  await ok(["rmi", "local/committed:1"]);
});

test("ps --filter: status lists stopped containers without -a, exited codes, names, ancestors, bad filters", async () => {
  await ok(["run", "--name", "f-zero", IMAGE, "true"]);
  await strata(root, ["run", "--name", "f-three", IMAGE, "sh", "-c", "exit 3"]);
  await ok(["run", "-d", "--name", "f-up", IMAGE, "sleep", "600"]);
  const names = async (...args: string[]) =>
    (await ok(["ps", "--format", "{{.Names}}", ...args])).split("\n").filter(Boolean).sort();
  assert.deepEqual(await names("--filter", "status=exited"), ["f-three", "f-zero"]);
  assert.deepEqual(await names("-a", "--filter", "exited=3"), ["f-three"]);
  assert.deepEqual(await names("-a", "-f", "name=f-z", "-f", "name=f-u"), ["f-up", "f-zero"]);
  assert.deepEqual(await names("-f", "status=running", "-f", "ancestor=" + IMAGE), ["f-up"]);
  assert.deepEqual(await names("-a", "-f", "ancestor=nothing:here"), []);
  const bad = await strata(root, ["ps", "-f", "color=red"]);
  assert.deepEqual([bad.code, bad.stderr], [1, "Error response from daemon: Invalid filter 'color'\n"]);
  await ok(["rm", "-f", "f-zero", "f-three", "f-up"]);
});

test("logs -f follows a running container until it exits", async () => {
  await ok(["run", "-d", "--name", "talker", IMAGE, "sh", "-c", "echo first; sleep 1; echo second"]);
  const followed = await ok(["logs", "-f", "talker"]);
  assert.equal(followed, "first\nsecond\n");
  assert.match(await ok(["ps", "-a"]), /Exited \(0\) .* talker\n/);
  await ok(["rm", "talker"]);
});

test("simultaneous starts of one container start it once", async () => {
  await ok(["create", "--name", "once", IMAGE, "sleep", "600"]);
  const starts = await Promise.all(Array.from({ length: 4 }, () => strata(root, ["start", "once"])));
  for (const r of starts) assert.deepEqual([r.code, r.stdout, r.stderr], [0, "once\n", ""]);
  const conmons = execFileSync("pgrep", ["-f", `conmon .*-n once `], { encoding: "utf8" }).trim().split("\n");
  assert.equal(conmons.length, 1, `one monitor: ${conmons.join(", ")}`);
  await ok(["rm", "-f", "once"]);
});

test("a killed foreground CLI leaves the container to conmon; the next look settles it, --rm removes it", async () => {
  const args = ["--root", root, "run", "--rm", "--name", "orphan-rm", IMAGE, "sleep", "3"];
  const cli = spawn(process.execPath, [CLI, ...args], { stdio: "ignore" });
  const running = async () => (await ok(["ps", "-q", "-f", "name=orphan-rm"])) !== "";
  await until("the container to run", running);
  cli.kill("SIGKILL");
  assert.equal(await running(), true, "conmon keeps the container running without the CLI");
  // Once it ended, with nobody attached, a look records the exit and removes it (--rm).
  await until("its removal", async () => (await ok(["ps", "-a", "-q", "-f", "name=orphan-rm"])) === "");
  assert.equal(readdirSync(join(root, "containers")).filter((n) => !n.endsWith(".lock")).length, 0);
});

test("without a terminal, the CLI passes SIGINT and SIGTERM on to the container", async () => {
  const script = "trap 'exit 9' INT; echo ready; while true; do sleep 0.1; done";
  const cli = spawn(process.execPath, [CLI, "--root", root, "run", "--rm", IMAGE, "sh", "-c", script]);
  let out = "";
  cli.stdout.on("data", (d) => {
    out += d;
  });
  await until("the trap", async () => out === "ready\n");
  const exited = new Promise<number | null>((resolve) => cli.on("close", resolve));
  cli.kill("SIGINT");
  assert.equal(await exited, 9);
});

test("an image whose layers went missing: a clear error, exit 125, nothing mounted or left running", async () => {
  const other = tempDir();
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  assert.equal((await strata(other, ["import", join(dir, "bb.tar"), "local/broken:1"])).code, 0);
  const [layer] = readdirSync(join(other, "layers"));
  rmSync(join(other, "layers", layer as string), { recursive: true });
  const r = await strata(other, ["run", "--rm", "local/broken:1", "true"]);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    /^strata: Error: layer sha256:[0-9a-f]{64} of container \S+ is missing from the store \(run 'strata system check'\)\.\n$/,
  );
  assert.equal((await strata(other, ["ps", "-a", "-q"])).stdout, "", "--rm removed the container");
  assert.equal(readFileSync("/proc/self/mountinfo", "utf8").includes(other), false);
});

test("simultaneous creates with one name: one wins, the others leave nothing behind", async () => {
  const before = readdirSync(join(root, "containers")).length;
  const creates = await Promise.all(
    Array.from({ length: 4 }, () => strata(root, ["create", "--name", "contested", IMAGE, "true"])),
  );
  const won = creates.filter((r) => r.code === 0);
  assert.equal(won.length, 1);
  for (const r of creates.filter((c) => c.code !== 0)) {
    assert.equal(r.code, 125);
    assert.match(r.stderr, /The container name "\/contested" is already in use/);
  }
  // One container directory and its lock file more, nothing from the losers.
  assert.ok(readdirSync(join(root, "containers")).length <= before + 2);
  const id = (won[0] as { stdout: string }).stdout.trim();
  assert.equal(existsSync(join(root, "containers", id)), true);
  await ok(["rm", "contested"]);
  assert.equal(readdirSync(join(root, "containers")).length, before);
});

test("conmon's exit command for a store removed meanwhile does not make the store again", async () => {
  const gone = join(tempDir(), "removed-store");
  const r = await strata(gone, ["container", "cleanup", "0123456789ab"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(gone), false, "the exit command made a store where none was");
});
