/**
 * `version`, `info` and `events` of strata's own CLI: Docker's layouts,
 * figures read from this machine (runtime versions from the binaries, the
 * backing file system, cgroups), and events any process recorded read back.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  assert.equal((await strata(root, ["import", join(dir, "bb.tar"), "local/bb:1"])).code, 0);
});

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test("version: Docker's two sections, the runtime's version asked from its binary", async () => {
  const out = await ok(["version"]);
  assert.match(out, /^Client:\n Version: {11}0\.1\.0\n API version: {7}1\.44\n/);
  assert.match(
    out,
    /\n\nServer: strata\n Engine:\n {2}Version: {10}0\.1\.0\n {2}API version: {6}1\.44 \(minimum version 1\.24\)\n/,
  );
  const crun = /crun version (\S+)/.exec(execFileSync("crun", ["--version"], { encoding: "utf8" }))?.[1];
  assert.match(out, new RegExp(`\\n crun:\\n  Version: {10}${crun?.replace(/\./g, "\\.")}\\n`));
  assert.equal(await ok(["version", "--format", "{{.Server.ApiVersion}}"]), "1.44\n");
  // The bundle carries the commit it was built from (one of this repository's) and that commit's date;
  // a bundle built outside a git checkout leaves both empty.
  const [client, server = ""] = (
    await ok(["version", "--format", "{{.Client.GitCommit}} {{.Server.GitCommit}}"])
  ).split(/[ \n]/);
  assert.equal(server, client);
  const inGit = spawnSync("git", ["rev-parse", "--git-dir"], { stdio: "ignore" }).status === 0;
  if (!inGit) return assert.equal(client, "");
  assert.match(client ?? "", /^[0-9a-f]{7}$/);
  assert.equal(
    spawnSync("git", ["cat-file", "-t", client as string], { encoding: "utf8" }).stdout.trim(),
    "commit",
  );
  assert.match(
    out,
    /\n Built: {13}(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/,
  );
});

test("info: counts, overlay2 on the store's file system, cgroups, root", async () => {
  await ok(["run", "-d", "--name", "sleeper", "local/bb:1", "sleep", "600"]);
  await ok(["create", "local/bb:1", "true"]);
  const out = await ok(["info"]);
  assert.match(out, /\n Containers: 2\n {2}Running: 1\n {2}Paused: 0\n {2}Stopped: 1\n Images: 1\n/);
  const fsType = execFileSync("stat", ["-f", "-c", "%T", root], { encoding: "utf8" }).trim();
  const expected = fsType.startsWith("ext") ? "extfs" : fsType;
  assert.match(out, new RegExp(`\\n Storage Driver: overlay2\\n  Backing Filesystem: ${expected}\\n`));
  assert.match(out, /\n Cgroup Driver: cgroupfs\n Cgroup Version: [12]\n/);
  assert.match(out, new RegExp(`\\n Docker Root Dir: ${root}\\n`));
  assert.match(out, /\n Default Runtime: (crun|runc)\n/);
  assert.equal(await ok(["info", "--format", "{{.Containers}} {{.ContainersRunning}}"]), "2 1\n");
  await ok(["rm", "-f", "sleeper"]);
});

test("events: what other processes did, with --since/--until, filters and --format", async () => {
  const before = Math.floor(Date.now() / 1000) - 1;
  assert.equal(
    (await strata(root, ["run", "--rm", "--name", "once", "local/bb:1", "sh", "-c", "exit 3"])).code,
    3,
  );
  await ok(["tag", "local/bb:1", "local/bb:2"]);
  const out = await ok(["events", "--since", String(before), "--until", "0s"]);
  const lines = out.trim().split("\n");
  const actions = lines.filter((l) => l.includes("name=once")).map((l) => l.split(" ").slice(1, 3).join(" "));
  assert.deepEqual(actions, ["container create", "container start", "container die", "container destroy"]);
  assert.match(
    out,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container die [0-9a-f]{64} \(exitCode=3, image=local\/bb:1, name=once\)$/m,
  );
  assert.match(out, /image tag sha256:[0-9a-f]{64} \(name=local\/bb:2\)\n/);
  const died = await ok([
    "events",
    "--since",
    String(before),
    "--until",
    "0s",
    "--filter",
    "event=die",
    "--filter",
    "container=once",
    "--format",
    "{{.Actor.Attributes.exitCode}}",
  ]);
  assert.equal(died, "3\n");
  const bad = await strata(root, ["events", "--since", "yesterday-ish", "--until", "0s"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to parse value as time or duration: "yesterday-ish"/);
});

test("events: networks and volumes as Docker logs them, in order around the container's own (and stop's kill)", async () => {
  const before = Math.floor(Date.now() / 1000) - 1;
  await ok(["network", "create", "evnet"]);
  const cid = (
    await ok([
      "run",
      "-d",
      "--name",
      "evc",
      "--network",
      "evnet",
      "-v",
      "evvol:/data",
      "local/bb:1",
      "sleep",
      "60",
    ])
  ).trim();
  await ok(["stop", "-t", "0", "evc"]);
  await ok(["rm", "evc"]);
  await ok(["volume", "rm", "evvol"]);
  // Gone already: -f removes nothing, and logs no second destroy.
  await ok(["volume", "rm", "-f", "evvol"]);
  await ok(["network", "rm", "evnet"]);
  const since = ["--since", String(before), "--until", "0s"];
  const nid = /network create ([0-9a-f]{64}) /.exec(
    await ok(["events", ...since, "--filter", "type=network"]),
  )?.[1];
  assert.ok(nid, "no network create event");
  const mine = (
    await ok([
      "events",
      ...since,
      "--format",
      "{{.Type}} {{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}",
    ])
  )
    .trim()
    .split("\n")
    .filter((l) => l.includes(cid) || l.includes(nid) || l.includes(" evvol "));
  const attrs = (l: string) => JSON.parse(l.slice(l.indexOf("{")));
  assert.deepEqual(
    mine.map((l) => l.split(" ").slice(0, 2).join(" ")),
    [
      "network create",
      "volume create",
      "container create",
      "network connect",
      "volume mount",
      "container start",
      "container kill",
      "container kill",
      "container die",
      "network disconnect",
      "volume unmount",
      "container stop",
      "container destroy",
      "volume destroy",
      "network destroy",
    ],
  );
  const line = (action: string) => mine.find((l) => l.split(" ").slice(0, 2).join(" ") === action) ?? "";
  assert.deepEqual(attrs(line("network connect")), { container: cid, name: "evnet", type: "bridge" });
  assert.deepEqual(attrs(line("network destroy")), { name: "evnet", type: "bridge" });
  assert.deepEqual(attrs(line("volume create")), { driver: "local" });
  assert.deepEqual(attrs(line("volume mount")), {
    container: cid,
    destination: "/data",
    driver: "local",
    propagation: "",
    "read/write": "true",
  });
  assert.deepEqual(attrs(line("volume unmount")), { container: cid, driver: "local" });
  // `stop -t 0`: the stop signal, then SIGKILL at once, each logged before the die.
  const signals = mine.filter((l) => l.startsWith("container kill")).map((l) => attrs(l).signal);
  assert.deepEqual(signals, ["15", "9"]);
  // Docker's filters: by network name or ID, by volume name.
  const byNet = await ok([...["events", ...since], "--filter", "network=evnet", "--format", "{{.Action}}"]);
  assert.equal(byNet, "create\nconnect\ndisconnect\ndestroy\n");
  const byVol = await ok([...["events", ...since], "--filter", "volume=evvol", "--format", "{{.Action}}"]);
  assert.equal(byVol, "create\nmount\nunmount\ndestroy\n");
});

test("events: stop logs a kill for each signal it sends, the stop signal then SIGKILL", async () => {
  const before = Math.floor(Date.now() / 1000) - 1;
  // sleep as pid 1 has no SIGTERM handler: the signal does nothing, SIGKILL follows after a second.
  await ok(["run", "-d", "--name", "stubborn", "local/bb:1", "sleep", "60"]);
  await ok(["stop", "-t", "1", "stubborn"]);
  await ok(["rm", "stubborn"]);
  const kills = await ok([
    ...["events", "--since", String(before), "--until", "0s"],
    ...[
      "--filter",
      "container=stubborn",
      "--filter",
      "event=kill",
      "--format",
      "{{.Actor.Attributes.signal}}",
    ],
  ]);
  assert.equal(kills, "15\n9\n");
});
