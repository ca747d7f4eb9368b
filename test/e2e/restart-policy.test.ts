/**
 * `run --restart` and `update --restart` against real containers: strata has
 * no daemon, so conmon's exit command restarts them. Docker's rules (count,
 * exit codes, a user's stop or kill), RestartCount in inspect, its refusals,
 * and a policy set through the API by the docker CLI.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiService, docker, serviceRoot, startService } from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const { root, cleanup } = serviceRoot();
const IMAGE = "local/bb:restart";
let svc: ApiService | undefined;

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** `{{.RestartCount}} {{.State.Status}}` of a container. */
const status = async (name: string) =>
  (await ok(["inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name])).trim();

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** No process (conmon, its exit command) still names the container. */
function settled(id: string): boolean {
  return !readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(id);
    } catch {
      return false;
    }
  });
}

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), IMAGE]);
  svc = await startService(root);
});

after(async () => {
  await svc?.stop();
  await cleanup();
});

test("on-failure:2 restarts a failing container twice, then leaves it exited; inspect shows the policy", async () => {
  const id = (
    await ok([
      "run",
      "-d",
      "--name",
      "flaky",
      "--restart",
      "on-failure:2",
      IMAGE,
      "sh",
      "-c",
      "echo run; exit 3",
    ])
  ).trim();
  await until("two restarts and the end", async () => (await status("flaky")) === "2 exited" && settled(id));
  assert.equal(await ok(["logs", "flaky"]), "run\nrun\nrun\n");
  assert.equal(
    await ok(["inspect", "-f", "{{json .HostConfig.RestartPolicy}} {{.State.ExitCode}}", "flaky"]),
    '{"Name":"on-failure","MaximumRetryCount":2} 3\n',
  );
  // A success is not a failure: no restart.
  const fine = (await ok(["run", "-d", "--name", "fine", "--restart", "on-failure", IMAGE, "true"])).trim();
  await until("its end", async () => (await status("fine")) === "0 exited" && settled(fine));
});

test("always restarts whatever the exit code; stop ends it for good, a start by hand resets the count", async () => {
  const id = (await ok(["run", "-d", "--name", "loop", "--restart", "always", IMAGE, "sleep", "0.3"])).trim();
  await until("two restarts", async () => Number((await status("loop")).split(" ")[0]) >= 2);
  await ok(["stop", "loop"]);
  await until("the stop to settle", async () => settled(id));
  const stopped = await status("loop");
  assert.match(stopped, / exited$/);
  await sleep(1500);
  assert.equal(await status("loop"), stopped, "stop must not restart");
  // Without a policy now, a start by hand resets the count and the run's end stays an end.
  await ok(["update", "--restart", "no", "loop"]);
  await ok(["start", "loop"]);
  await until("the end of its last run", async () => (await status("loop")) === "0 exited" && settled(id));
});

test("kill counts as a stop for unless-stopped; an attached run returns its code and restarts behind", async () => {
  const id = (
    await ok(["run", "-d", "--name", "daemonish", "--restart", "unless-stopped", IMAGE, "sleep", "600"])
  ).trim();
  await ok(["kill", "daemonish"]);
  await until("the kill to settle", async () => settled(id));
  await sleep(500);
  assert.equal(await status("daemonish"), "0 exited");

  const r = await strata(root, [
    "run",
    "--name",
    "fg",
    "--restart",
    "on-failure:1",
    IMAGE,
    "sh",
    "-c",
    "exit 5",
  ]);
  assert.equal(r.code, 5);
  const fg = (await ok(["inspect", "-f", "{{.Id}}", "fg"])).trim();
  await until("one restart behind the CLI", async () => (await status("fg")) === "1 exited" && settled(fg));
});

test("update --restart gives a running container a policy; Docker's refusals leave nothing behind", async () => {
  const id = (await ok(["run", "-d", "--name", "late", IMAGE, "sh", "-c", "sleep 1; exit 1"])).trim();
  assert.equal(await ok(["update", "--restart", "on-failure:1", "late"]), "late\n");
  await until(
    "the restart the new policy asked for",
    async () => (await status("late")) === "1 exited" && settled(id),
  );

  const before = await ok(["ps", "-a", "-q"]);
  const refusals: Array<[string[], string]> = [
    [
      ["--rm", "--restart", "always"],
      "strata: Conflicting options: --restart and --rm.\nSee 'strata run --help'.\n",
    ],
    [
      ["--restart", "sometimes"],
      "strata: Error response from daemon: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'.\nSee 'strata run --help'.\n",
    ],
    [
      ["--restart", "always:3"],
      "strata: Error response from daemon: invalid restart policy: maximum retry count can only be used with 'on-failure'.\nSee 'strata run --help'.\n",
    ],
    [
      ["--restart", "on-failure:x"],
      "strata: invalid restart policy format: maximum retry count must be an integer.\nSee 'strata run --help'.\n",
    ],
  ];
  for (const [flags, message] of refusals) {
    const r = await strata(root, ["run", ...flags, IMAGE, "true"]);
    assert.deepEqual([r.stderr, r.code], [message, 125], flags.join(" "));
  }
  assert.equal(await ok(["ps", "-a", "-q"]), before, "nothing created");
  await ok(["create", "--name", "auto", "--rm", IMAGE, "true"]);
  const auto = (await ok(["inspect", "-f", "{{.Id}}", "auto"])).trim();
  const u = await strata(root, ["update", "--restart", "always", "auto"]);
  assert.deepEqual(
    [u.stderr, u.code],
    [
      `Error response from daemon: Cannot update container ${auto}: Restart policy cannot be updated because AutoRemove is enabled for the container\n`,
      1,
    ],
  );
});

test("docker run --restart through the API: the policy is strata's, and it restarts", async () => {
  assert.ok(svc);
  const r = await docker(svc, [
    "run",
    "-d",
    "--name",
    "viaapi",
    "--restart",
    "on-failure:1",
    IMAGE,
    "sh",
    "-c",
    "exit 2",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  await until("its one restart", async () => (await status("viaapi")) === "1 exited" && settled(id));
  const shown = await docker(svc, [
    "inspect",
    "-f",
    "{{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}",
    "viaapi",
  ]);
  assert.equal(shown.stdout, "1 on-failure\n");
});
