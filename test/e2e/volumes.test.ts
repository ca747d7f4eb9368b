/**
 * Volumes against real containers (crun under conmon, kernel overlayfs):
 * named volumes and their commands with Docker's outputs (reference outputs
 * 79–85), copy-up of the image's content, anonymous volumes for VOLUME paths
 * and their removal, binds (ro, created sources, refused ones), tmpfs, and
 * volume bytes kept out of a container's SIZE.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
let registry: Awaited<ReturnType<typeof startRegistry>>;
let IMAGE = "";

before(async () => {
  registry = await startRegistry();
  IMAGE = `${registry.host}/volumes/web:v1`;
  await pushImage(new RegistryClient(), IMAGE, {
    layers: [
      { tar: busyboxBaseTar() },
      { files: { "data/seed.txt": "from image\n", "data/sub/deep.txt": "deep\n" } },
    ],
    config: {
      config: {
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Cmd: ["sh"],
        Volumes: { "/data": {} },
      },
    },
  });
  const r = await strata(root, ["pull", "-q", IMAGE]);
  assert.equal(r.code, 0, r.stderr);
});

after(() => registry?.stop());

async function ok(args: string[], opts: { cwd?: string } = {}): Promise<string> {
  const r = await strata(root, args, opts);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const volumeNames = async () => (await ok(["volume", "ls", "-q"])).split("\n").filter(Boolean);

test("volume create, ls, inspect, rm: Docker's outputs and messages", async () => {
  assert.equal(await ok(["volume", "create", "cap-vol1"]), "cap-vol1\n");
  assert.equal(await ok(["volume", "create", "cap-vol1"]), "cap-vol1\n", "creating again is no error");
  const generated = (await ok(["volume", "create", "--label", "a=b"])).trim();
  assert.match(generated, /^[0-9a-f]{64}$/);
  const rows = [`local     ${generated}`, "local     cap-vol1"].sort((a, b) => (a < b ? -1 : 1));
  assert.equal(await ok(["volume", "ls"]), `DRIVER    VOLUME NAME\n${rows.join("\n")}\n`);
  assert.equal(await ok(["volume", "ls", "-q", "--filter", "label=a=b"]), `${generated}\n`);
  const [v] = JSON.parse(await ok(["volume", "inspect", "cap-vol1"]));
  assert.deepEqual(Object.keys(v), [
    "CreatedAt",
    "Driver",
    "Labels",
    "Mountpoint",
    "Name",
    "Options",
    "Scope",
  ]);
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(
    { ...v, CreatedAt: "" },
    {
      CreatedAt: "",
      Driver: "local",
      Labels: {},
      Mountpoint: join(root, "volumes", "cap-vol1", "_data"),
      Name: "cap-vol1",
      Options: {},
      Scope: "local",
    },
  );
  assert.equal(existsSync(v.Mountpoint), true);
  assert.equal(
    await ok(["volume", "inspect", "-f", "{{.Driver}} {{.Name}}", "cap-vol1"]),
    "local cap-vol1\n",
  );

  const missing = await strata(root, ["volume", "inspect", "nope"]);
  assert.deepEqual(
    [missing.stdout, missing.stderr, missing.code],
    ["[]\n", "Error: No such volume: nope\n", 1],
  );
  const rmMissing = await strata(root, ["volume", "rm", "nope"]);
  assert.deepEqual([rmMissing.stderr, rmMissing.code], ["Error: No such volume: nope\n", 1]);
  const bad = await strata(root, ["volume", "create", "../x"]);
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr,
    'Error response from daemon: create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path\n',
  );
  assert.equal(await ok(["volume", "rm", generated]), `${generated}\n`);
  assert.deepEqual(await volumeNames(), ["cap-vol1"]);
});

test("a named volume keeps data across containers; in use it cannot be removed; df -v counts it", async () => {
  await ok(["volume", "create", "keep"]);
  await ok(["run", "--rm", "-v", "keep:/data", IMAGE, "sh", "-c", "echo kept > /data/f.txt"]);
  // Filled from the image at first use only: what a container removed stays removed.
  await ok(["run", "--rm", "-v", "keep:/data", IMAGE, "rm", "-r", "/data/seed.txt", "/data/sub"]);
  assert.equal(await ok(["run", "--rm", "-v", "keep:/data", IMAGE, "ls", "/data"]), "f.txt\n");
  assert.equal(await ok(["run", "--rm", "-v", "keep:/data", IMAGE, "cat", "/data/f.txt"]), "kept\n");

  const id = (await ok(["run", "-d", "--name", "cap-v", "-v", "keep:/data", IMAGE, "sleep", "600"])).trim();
  const refused = await strata(root, ["volume", "rm", "keep"]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `Error response from daemon: remove keep: volume is in use - [${id}]\n`);

  const df = await ok(["system", "df", "-v"]);
  assert.match(df, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n(.*\n)*keep +1 +5B\n/);
  assert.match(df, new RegExp(`${id.slice(0, 12)} .* "sleep 600" +1 +0B `));
  assert.match(await ok(["system", "df"]), /\nLocal Volumes +\d+ +1 +/);
  const [mount] = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "cap-v"]));
  assert.deepEqual(mount, {
    Type: "volume",
    Name: "keep",
    Source: join(root, "volumes", "keep", "_data"),
    Destination: "/data",
    Driver: "local",
    Mode: "z",
    RW: true,
    Propagation: "",
  });

  // Bytes written into the volume are the volume's, not the container's.
  await ok(["exec", "cap-v", "sh", "-c", "head -c 1048576 /dev/zero > /data/big"]);
  assert.match(await ok(["ps", "-s", "--format", "{{.Size}}"]), /^0B \(virtual /);
  await ok(["rm", "-f", "cap-v"]);
  assert.equal(await ok(["volume", "rm", "keep"]), "keep\n");
  assert.equal(existsSync(join(root, "volumes", "keep")), false);
});

test("a new named volume is filled with the image's content at its path; nocopy leaves it empty", async () => {
  assert.equal(
    await ok([
      "run",
      "--rm",
      "-v",
      "fresh:/data",
      IMAGE,
      "sh",
      "-c",
      "cat /data/seed.txt /data/sub/deep.txt",
    ]),
    "from image\ndeep\n",
  );
  assert.equal(await ok(["run", "--rm", "-v", "empty:/data:nocopy", IMAGE, "ls", "-A", "/data"]), "");
  assert.equal(
    await ok([
      "run",
      "--rm",
      "--mount",
      "type=volume,src=viamount,dst=/data",
      IMAGE,
      "cat",
      "/data/seed.txt",
    ]),
    "from image\n",
  );
  await ok(["volume", "rm", "fresh", "empty", "viamount"]);
});

test("the image's VOLUME gets an anonymous volume: kept by rm, removed by rm -v and run --rm", async () => {
  const before = await volumeNames();
  await ok(["run", "-d", "--name", "anon", IMAGE, "sleep", "600"]);
  const [mount] = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "anon"]));
  assert.match(mount.Name, /^[0-9a-f]{64}$/);
  assert.equal(mount.Destination, "/data");
  assert.equal(mount.Mode, "");
  assert.equal(await ok(["inspect", "-f", "{{json .Config.Volumes}}", "anon"]), '{"/data":{}}\n');
  assert.equal(await ok(["exec", "anon", "cat", "/data/seed.txt"]), "from image\n");
  assert.deepEqual((await volumeNames()).sort(), [...before, mount.Name].sort());
  await ok(["rm", "-f", "-v", "anon"]);
  assert.deepEqual(await volumeNames(), before, "rm -v removed the anonymous volume");

  await ok(["run", "--name", "kept", IMAGE, "true"]);
  const kept = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "kept"]))[0].Name;
  await ok(["rm", "kept"]);
  assert.ok((await volumeNames()).includes(kept), "rm without -v keeps it, as Docker does");
  await ok(["volume", "rm", kept]);

  await ok(["run", "--rm", "-v", "/scratch", IMAGE, "sh", "-c", "echo x > /scratch/x"]);
  assert.deepEqual(await volumeNames(), before, "run --rm removed both anonymous volumes");
});

test("binds: read-only, a missing -v source is created, --mount refuses one, relative paths", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "bind"));
  writeFileSync(join(dir, "bind", "h.txt"), "host\n");
  const ro = await strata(root, [
    "run",
    "--rm",
    "-v",
    `${join(dir, "bind")}:/b:ro`,
    IMAGE,
    "sh",
    "-c",
    "cat /b/h.txt; echo x > /b/y",
  ]);
  assert.equal(ro.stdout + ro.stderr, "host\nsh: can't create /b/y: Read-only file system\n");
  assert.equal(ro.code, 1);

  await ok(["run", "--rm", "-v", `${join(dir, "new", "deep")}:/n`, IMAGE, "touch", "/n/made"]);
  assert.deepEqual(readdirSync(join(dir, "new", "deep")), ["made"]);

  const refused = await strata(root, [
    "run",
    "--rm",
    "--mount",
    `type=bind,source=${join(dir, "absent")},target=/x`,
    IMAGE,
    "true",
  ]);
  assert.equal(refused.code, 125);
  assert.equal(
    refused.stderr,
    `strata: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${join(dir, "absent")}.\nSee 'strata run --help'.\n`,
  );
  assert.equal(existsSync(join(dir, "absent")), false);

  const rel = await strata(root, ["run", "--rm", "-v", "./bind:/b", IMAGE, "cat", "/b/h.txt"], { cwd: dir });
  assert.deepEqual([rel.stdout, rel.code], ["host\n", 0], rel.stderr);
  const up = await strata(root, ["run", "--rm", "-v", "../bind:/b", IMAGE, "true"]);
  assert.equal(up.code, 125);
  assert.match(
    up.stderr,
    /^strata: Error response from daemon: create \.\.\/bind: "\.\.\/bind" includes invalid characters for a local volume name/,
  );

  const badKey = await strata(root, [
    "run",
    "--rm",
    "--mount",
    "type=bind,src=/tmp,dst=/x,foo=bar",
    IMAGE,
    "true",
  ]);
  assert.equal(badKey.code, 125);
  assert.equal(
    badKey.stderr,
    `invalid argument "type=bind,src=/tmp,dst=/x,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'\nSee 'strata run --help'.\n`,
  );
  const dup = await strata(root, ["run", "--rm", "-v", "/tmp:/x", "--tmpfs", "/x", IMAGE, "true"]);
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /Duplicate mount point: \/x/);
  assert.equal(await ok(["ps", "-a", "-q"]), "", "refused runs left no container");
});

test("--tmpfs and --mount type=tmpfs: a tmpfs with Docker's options and the sizes asked for", async () => {
  const out = await ok([
    "run",
    "--rm",
    "--tmpfs",
    "/t1:size=1m",
    "--mount",
    "type=tmpfs,dst=/t2,tmpfs-size=2m,tmpfs-mode=1770",
    IMAGE,
    "sh",
    "-c",
    "grep -E ' /t[12] ' /proc/mounts; stat -c %a /t2",
  ]);
  assert.match(out, /^tmpfs \/t1 tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k 0 0$/m);
  assert.match(out, /^tmpfs \/t2 tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=1770 0 0$/m);
  assert.match(out, /\n1770\n$/);
});

test("volume prune removes the volumes no container uses", async () => {
  await ok(["volume", "create", "unused"]);
  await ok(["run", "--rm", "-v", "unused:/data", IMAGE, "true"]);
  await ok(["create", "--name", "holder", "-v", "held:/data", IMAGE, "true"]);
  const out = await ok(["volume", "prune", "-f"]);
  assert.match(out, /^Deleted Volumes:\n(.*\n)*unused\n(.*\n)*\nTotal reclaimed space: \d/);
  assert.ok(!out.includes("held"));
  assert.deepEqual(await volumeNames(), ["held"]);
  await ok(["rm", "holder"]);
});
