/**
 * `cp` against real containers, running and stopped: both directions,
 * Docker's destination rules, `-` tar streams, owners (-a), volumes seen
 * through the container, and hostile symlinks that must never lead outside
 * the container's root.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const IMAGE = "local/bb:cp";
const host = tempDir();

async function ok(args: string[], input?: string): Promise<string> {
  const r = await strata(root, args, { input });
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  writeFileSync(join(host, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(host, "bb.tar"), IMAGE]);
  const setup = [
    "mkdir -p /d/sub /vol/in",
    "echo hi > /d/a",
    "echo deep > /d/sub/b",
    "chmod 640 /d/a",
    "ln -s /etc /d/etclink",
    "ln -s ../../../../../../ /d/up",
    "echo v > /vol/in/f",
    "mkdir -p /victim",
    "ln -s /victim /d/out",
    "sleep 600",
  ].join("; ");
  await ok(["run", "-d", "--name", "box", "-v", "cpvol:/vol", IMAGE, "sh", "-c", setup]);
  for (let i = 0; i < 100; i++) {
    const r = await strata(root, ["exec", "box", "test", "-e", "/d/out"]);
    if (r.code === 0) return;
  }
});

test("cp out: a directory into a directory, a file to a new name, contents with /., symlinks as links", async () => {
  const dest = join(host, "out1");
  mkdirSync(dest);
  await ok(["cp", "box:/d", `${dest}/`]);
  assert.deepEqual(readdirSync(join(dest, "d")).sort(), ["a", "etclink", "out", "sub", "up"]);
  assert.equal(readFileSync(join(dest, "d", "sub", "b"), "utf8"), "deep\n");
  assert.equal(statSync(join(dest, "d", "a")).mode & 0o777, 0o640, "modes kept");
  assert.equal(execFileSync("readlink", [join(dest, "d", "etclink")], { encoding: "utf8" }), "/etc\n");

  await ok(["cp", "box:/d/a", join(host, "renamed")]);
  assert.equal(readFileSync(join(host, "renamed"), "utf8"), "hi\n");
  await ok(["cp", "box:/d/.", join(host, "contents")]);
  assert.deepEqual(readdirSync(join(host, "contents")).sort(), ["a", "etclink", "out", "sub", "up"]);
  // -L copies what the link points at, inside the container.
  await ok(["cp", "-L", "box:/d/etclink", join(host, "etc-copy")]);
  assert.equal(readFileSync(join(host, "etc-copy", "hostname"), "utf8").length > 0, true);
  // The volume is seen as the container sees it.
  await ok(["cp", "box:/vol/in/f", join(host, "fromvol")]);
  assert.equal(readFileSync(join(host, "fromvol"), "utf8"), "v\n");
});

test("cp out follows symlinks inside the container's root only", async () => {
  // /d/up climbs far above / and then names etc/passwd: the container's, not the host's.
  await ok(["cp", "box:/d/up/etc/passwd", join(host, "passwd")]);
  assert.equal(readFileSync(join(host, "passwd"), "utf8"), await ok(["exec", "box", "cat", "/etc/passwd"]));
  assert.notEqual(readFileSync(join(host, "passwd"), "utf8"), readFileSync("/etc/passwd", "utf8"));
});

test("cp in: files owned by root unless -a, into directories, renamed, through symlinks kept inside", async () => {
  const src = join(host, "src");
  mkdirSync(join(src, "dir", "inner"), { recursive: true });
  writeFileSync(join(src, "file"), "f\n");
  writeFileSync(join(src, "dir", "inner", "g"), "g\n");
  chownSync(join(src, "file"), 1234, 1234);
  await ok(["cp", join(src, "file"), "box:/d/"]);
  await ok(["cp", "-a", join(src, "file"), "box:/owned"]);
  await ok(["cp", join(src, "dir"), "box:/newdir"]);
  await ok(["cp", `${join(src, "dir")}/.`, "box:/d/sub"]);
  assert.equal(
    await ok(["exec", "box", "sh", "-c", "stat -c '%u:%g %n' /d/file /owned; find /newdir /d/sub | sort"]),
    "0:0 /d/file\n1234:1234 /owned\n/d/sub\n/d/sub/b\n/d/sub/inner\n/d/sub/inner/g\n/newdir\n/newdir/inner\n/newdir/inner/g\n",
  );
  // /d/out is a symlink to /victim: the write lands in the container's /victim, never the host's.
  await ok(["cp", join(src, "file"), "box:/d/out/"]);
  assert.equal(await ok(["exec", "box", "cat", "/victim/file"]), "f\n");
  assert.equal(existsSync("/victim/file"), false);
  // A hostile archive from stdin: `..` cannot climb out.
  const evil = spawnSync("tar", ["-C", src, "-cf", "-", "--transform", "s,^,../../../../,", "file"]).stdout;
  const r = spawnSync(
    process.execPath,
    [join(process.cwd(), "dist", "strata.js"), "--root", root, "cp", "-", "box:/d"],
    {
      input: evil,
    },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /refusing|climbs|UNSAFE|unsafe/i);
});

test("cp with tar streams: CONTAINER:PATH - and - CONTAINER:DIR", async () => {
  const tar = execFileSync(process.execPath, [
    join(process.cwd(), "dist", "strata.js"),
    "--root",
    root,
    "cp",
    "box:/d/sub",
    "-",
  ]);
  const names = execFileSync("tar", ["-tf", "-"], { input: tar, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  assert.ok(names.includes("sub/") && names.includes("sub/b"), names.join(","));
  const stream = spawnSync("tar", ["-C", host, "-cf", "-", "renamed"]).stdout;
  const r = spawnSync(
    process.execPath,
    [join(process.cwd(), "dist", "strata.js"), "--root", root, "cp", "-", "box:/tmp"],
    {
      input: stream,
    },
  );
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(await ok(["exec", "box", "cat", "/tmp/renamed"]), "hi\n");
});

test("cp to and from a stopped container; Docker's errors", async () => {
  await ok(["stop", "-t", "0", "box"]);
  await ok(["cp", join(host, "renamed"), "box:/stopped.txt"]);
  await ok(["cp", join(host, "renamed"), "box:/vol/"]);
  await ok(["cp", "box:/stopped.txt", join(host, "back.txt")]);
  assert.equal(readFileSync(join(host, "back.txt"), "utf8"), "hi\n");
  await ok(["cp", "box:/vol/renamed", join(host, "back-vol.txt")]);
  assert.equal(readFileSync(join(host, "back-vol.txt"), "utf8"), "hi\n");

  const missing = await strata(root, ["cp", "box:/nope", host]);
  assert.deepEqual([missing.stderr, missing.code], ["Error: No such container:path: box:/nope\n", 1]);
  const local = await strata(root, ["cp", join(host, "nope"), "box:/"]);
  assert.deepEqual(
    [local.stderr, local.code],
    [`lstat ${join(host, "nope")}: no such file or directory\n`, 1],
  );
  const dirOnFile = await strata(root, ["cp", "box:/d", join(host, "renamed")]);
  assert.deepEqual([dirOnFile.stderr, dirOnFile.code], ["cannot copy directory\n", 1]);
  const both = await strata(root, ["cp", "a:/x", "b:/y"]);
  assert.deepEqual([both.stderr, both.code], ["copying between containers is not supported\n", 1]);
  const none = await strata(root, ["cp", "/a", "/b"]);
  assert.deepEqual([none.stderr, none.code], ["must specify at least one container source\n", 1]);
  await ok(["rm", "-v", "box"]);
});
