/**
 * Images without a registry: import a rootfs tarball, save it (OCI layout +
 * Docker manifest.json, layers re-emitted with their original diff IDs), load
 * it back; corrupt archives are refused with one line and change nothing.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { sha256Digest } from "../../src/digest/index.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

test("import, save and load round-trip an image with the same ID and diff IDs", async () => {
  const root = tempDir();
  const dir = tempDir();
  const tar = busyboxBaseTar();
  const tarball = join(dir, "rootfs.tar.gz");
  writeFileSync(tarball, gzipSync(tar));

  const imported = await strata(root, ["import", tarball, "local/bb:1"]);
  assert.equal(imported.code, 0, imported.stderr);
  const id = imported.stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const layers = JSON.parse(
    (await strata(root, ["inspect", "--format", "{{json .RootFS.Layers}}", "local/bb:1"])).stdout,
  );
  assert.deepEqual(layers, [sha256Digest(tar)], "the layer's diff ID is the tarball's own digest");

  const archive = join(dir, "bb.tar");
  const saved = await strata(root, ["save", "-o", archive, "local/bb:1"]);
  assert.equal(saved.code, 0, saved.stderr);
  const names = execFileSync("tar", ["-tf", archive], { encoding: "utf8" }).split("\n");
  for (const n of ["manifest.json", "index.json", "oci-layout"]) assert.ok(names.includes(n), n);
  const manifest = JSON.parse(execFileSync("tar", ["-xOf", archive, "manifest.json"], { encoding: "utf8" }));
  assert.deepEqual(manifest[0].RepoTags, ["local/bb:1"]);
  const layerBytes = execFileSync("tar", ["-xOf", archive, manifest[0].Layers[0]], { maxBuffer: 1 << 28 });
  assert.equal(
    sha256Digest(layerBytes),
    sha256Digest(tar),
    "the saved layer is byte-identical to the imported tar",
  );

  assert.equal((await strata(root, ["rmi", "local/bb:1"])).code, 0);
  const loaded = await strata(root, ["load", "-i", archive]);
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout, "Loaded image: local/bb:1\n");
  assert.equal((await strata(root, ["inspect", "--format", "{{.Id}}", "local/bb:1"])).stdout.trim(), id);
  const check = await strata(root, ["system", "check"]);
  assert.equal(check.code, 0, check.stderr);
});

test("corrupt input to import and load: one-line error, exit 1, store unchanged", async () => {
  const root = tempDir();
  const dir = tempDir();
  const good = join(dir, "ok.tar");
  writeFileSync(good, busyboxBaseTar());
  assert.equal((await strata(root, ["import", good, "local/ok:1"])).code, 0);
  const before = (await strata(root, ["images", "-a", "-q"])).stdout;

  const junk = join(dir, "junk.tar");
  writeFileSync(junk, Buffer.concat([Buffer.alloc(512, 7), Buffer.alloc(1024)]));
  const imp = await strata(root, ["import", junk, "local/bad:1"]);
  assert.equal(imp.code, 1);
  assert.equal(imp.stderr.trim().split("\n").length, 1, imp.stderr);
  const load = await strata(root, ["load", "-i", junk]);
  assert.equal(load.code, 1);
  assert.match(load.stderr, /^Error: invalid archive/);
  const truncated = join(dir, "trunc.tar.gz");
  writeFileSync(truncated, gzipSync(busyboxBaseTar()).subarray(0, 3000));
  assert.equal((await strata(root, ["import", truncated])).code, 1);
  assert.equal((await strata(root, ["images", "-a", "-q"])).stdout, before);
  assert.equal((await strata(root, ["system", "check", "--repair"])).code, 0);
});

test("bad --format and unknown images: one line, exit 1", async () => {
  const root = tempDir();
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  assert.equal((await strata(root, ["import", join(dir, "bb.tar"), "local/bb:1"])).code, 0);
  const bad = await strata(root, ["images", "--format", "{{.Repository"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^Error: template parsing error: .*\n$/);
  const unknown = await strata(root, ["images", "--format", "{{.Nope}}"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /can't evaluate field Nope/);
  const ok = await strata(root, ["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"]);
  assert.equal(ok.stdout, "local/bb:1 1.98MB\n");
  const tagged = await strata(root, ["tag", "local/bb:1", "local/bb:2"]);
  assert.equal(tagged.code, 0, tagged.stderr);
  const rmi = await strata(root, ["rmi", "local/bb:1"]);
  assert.equal(rmi.stdout, "Untagged: local/bb:1\n", "another tag remains: untag only");
  const none = await strata(root, ["history", "nope"]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, "Error response from daemon: No such image: nope:latest\n");
});
