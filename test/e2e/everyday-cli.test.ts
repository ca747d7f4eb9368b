/**
 * What a Docker user types daily and strata used to answer differently:
 * `images REPOSITORY[:TAG]`, `--format json` on listings (one object per
 * line, Docker ≥ 23), `load -i` of a missing file, `inspect` of a volume.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), "mybox:1"]);
  await ok(["tag", "mybox:1", "mybox:2"]);
  await ok(["tag", "mybox:1", "other/thing:1"]);
});

test("images REPOSITORY[:TAG] lists only the names it matches", async () => {
  const rows = (args: string[]) =>
    ok(["images", ...args, "--format", "{{.Repository}}:{{.Tag}}"]).then((o) =>
      o.split("\n").filter(Boolean).sort(),
    );
  assert.deepEqual(await rows(["mybox"]), ["mybox:1", "mybox:2"]);
  assert.deepEqual(await rows(["mybox:2"]), ["mybox:2"]);
  assert.deepEqual(await rows(["other/*"]), ["other/thing:1"]);
  assert.deepEqual(await rows(["nothing"]), []);
  const two = await strata(root, ["images", "a", "b"]);
  assert.deepEqual(
    [two.stderr, two.code],
    [`"strata images" requires at most 1 argument.\nSee 'strata images --help'.\n`, 1],
  );
});

test("--format json prints one JSON object per line for listings", async () => {
  await ok(["create", "--name", "j1", "mybox:1", "true"]);
  await ok(["volume", "create", "jvol"]);
  const lines = async (args: string[]) =>
    (await ok(args))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const images = await lines(["images", "mybox", "--format", "json"]);
  assert.equal(images.length, 2);
  assert.deepEqual(Object.keys(images[0]), [...Object.keys(images[0])].sort(), "keys in Go's map order");
  assert.equal(images[0].Repository, "mybox");
  const ps = await lines(["ps", "-a", "--format", "json"]);
  assert.equal(ps.length, 1);
  assert.equal(ps[0].Names, "j1");
  const volumes = await lines(["volume", "ls", "--format", "json"]);
  assert.deepEqual([volumes[0].Name, volumes[0].Driver, volumes[0].Scope], ["jvol", "local", "local"]);
  const history = await lines(["history", "mybox:1", "--format", "json"]);
  assert.ok(history.length >= 1 && "CreatedBy" in history[0]);
  await ok(["rm", "j1"]);
});

test("load -i of a missing file is Go's open error; inspect finds volumes", async () => {
  const r = await strata(root, ["load", "-i", "missing.tar"]);
  assert.deepEqual([r.stderr, r.code], ["open missing.tar: no such file or directory\n", 1]);
  const [v] = JSON.parse(await ok(["inspect", "jvol"]));
  assert.equal(v.Name, "jvol");
  assert.equal(await ok(["inspect", "--type", "volume", "-f", "{{.Driver}}", "jvol"]), "local\n");
  const none = await strata(root, ["inspect", "--type", "volume", "nope"]);
  assert.deepEqual([none.stderr, none.code], ["Error: No such volume: nope\n", 1]);
});
