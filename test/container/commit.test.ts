/**
 * `commit` against real stores: an imported busybox image, containers created
 * on it (never run), their upper directories written as overlayfs would.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { tarUpperDir } from "../../src/archive/index.ts";
import { commitContainer, EMPTY_TAR_DIFF_ID } from "../../src/container/commit.ts";
import { type Digest, sha256Digest } from "../../src/digest/index.ts";
import { Engine } from "../../src/engine.ts";
import type { ContainerRecord } from "../../src/metadata/index.ts";
import { containerLayer } from "../../src/snapshot/index.ts";
import { Store } from "../../src/store/index.ts";
import { native } from "../../src/sys/index.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const S_IFCHR = 0o020000;
const root = tempDir();
let engine: Engine;
let store: Store;
let baseId: Digest;

type Json = Record<string, unknown>;
const configOf = (id: Digest) => JSON.parse(store.content.read(id).toString("utf8")) as Json;
const layerDirs = () => readdirSync(join(root, "layers")).sort();

before(async () => {
  engine = new Engine({ root });
  store = new Store(root);
  baseId = await engine.images.import(Readable.from([busyboxBaseTar()]), { reference: "base:1" });
});
after(async () => {
  await engine.close();
  store.close();
});

async function newContainer(image: string, cmd = ["sh", "-c", "echo hi"]): Promise<ContainerRecord> {
  const id = await engine.containers.create({ image, cmd, pull: "never" });
  return engine.containers.get(id);
}

async function tarDigest(upper: string): Promise<Digest> {
  const chunks: Buffer[] = [];
  for await (const c of tarUpperDir(upper)) chunks.push(c as Buffer);
  return sha256Digest(Buffer.concat(chunks));
}

test("a container's writes become one new layer on top of its image's, shared not copied", async () => {
  const c = await newContainer("base:1");
  const upper = containerLayer(root, c.id).upper;
  // What overlayfs leaves after: echo > /root/new.txt; ln; edit /etc/passwd; rm /etc/group; rm -rf /var; mkdir /var.
  mkdirSync(join(upper, "root"), { mode: 0o700 });
  chmodSync(join(upper, "root"), 0o700);
  writeFileSync(join(upper, "root", "new.txt"), "new file\n");
  linkSync(join(upper, "root", "new.txt"), join(upper, "root", "again.txt"));
  mkdirSync(join(upper, "etc"));
  writeFileSync(join(upper, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  native().mknod(join(upper, "etc", "group"), S_IFCHR, 0, 0);
  mkdirSync(join(upper, "var"));
  native().lsetxattr(join(upper, "var"), "trusted.overlay.opaque", Buffer.from("y"));
  writeFileSync(join(upper, "var", "fresh"), "fresh\n");

  const base = engine.images.get("base:1").image;
  const before = layerDirs();
  const id = await commitContainer(store, engine.images, c, {
    reference: "committed",
    author: "Ana <ana@example.com>",
    message: "my change",
  });

  const img = engine.images.get("committed:latest").image;
  assert.equal(img.id, id);
  assert.equal(img.chain.length, base.chain.length + 1);
  assert.deepEqual(img.chain.slice(0, -1), base.chain, "the image's layers are reused");
  const top = img.chain[img.chain.length - 1];
  assert.deepEqual(layerDirs(), [...before, top.slice(7)].sort(), "exactly one layer directory added");
  const layer = store.meta.layers.get(top);
  assert.equal(layer?.parent, base.chain[base.chain.length - 1]);
  assert.equal(layer?.diffId, await tarDigest(upper), "the layer is the upper's tar");
  assert.equal(top, sha256Digest(`${layer?.parent} ${layer?.diffId}`));

  // The layer on disk is the upper again, in overlay form.
  const diff = store.layers.diffDir(top);
  assert.equal(readFileSync(join(diff, "root/new.txt"), "utf8"), "new file\n");
  assert.equal(lstatSync(join(diff, "root/new.txt")).ino, lstatSync(join(diff, "root/again.txt")).ino);
  assert.equal(lstatSync(join(diff, "root")).mode & 0o7777, 0o700);
  assert.equal(readFileSync(join(diff, "etc/passwd"), "utf8"), "root:x:0:0:root:/root:/bin/sh\n");
  const wh = lstatSync(join(diff, "etc/group"));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0, "etc/group is a whiteout");
  assert.equal(native().lgetxattr(join(diff, "var"), "trusted.overlay.opaque")?.toString(), "y");
  assert.deepEqual(readdirSync(join(diff, "var")), ["fresh"]);

  // The config, as Docker's commit writes it.
  const parent = configOf(baseId);
  const config = configOf(id);
  assert.deepEqual(Object.keys(config), [...Object.keys(config)].sort(), "top-level keys sorted");
  assert.deepEqual((config.rootfs as Json).diff_ids, [
    ...(parent.rootfs as { diff_ids: Digest[] }).diff_ids,
    layer?.diffId,
  ]);
  const history = config.history as Json[];
  assert.deepEqual(history.slice(0, -1), parent.history);
  assert.deepEqual(history.at(-1), {
    created: config.created,
    author: "Ana <ana@example.com>",
    created_by: "sh -c echo hi",
    comment: "my change",
  });
  assert.match(config.created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  assert.equal(config.author, "Ana <ana@example.com>");
  assert.equal(config.container, c.id);
  assert.deepEqual(config.container_config, config.config);
  const cc = config.config as Json;
  assert.deepEqual(cc.Cmd, ["sh", "-c", "echo hi"]);
  assert.equal(cc.Image, "base:1");
  assert.equal(cc.Hostname, c.id.slice(0, 12));
  assert.equal("NetworkMode" in cc || "AutoRemove" in cc, false, "HostConfig parts stay out");
  assert.equal(config.architecture, parent.architecture);
  assert.equal(config.os, parent.os);

  // inspect, images and history see it.
  const inspect = await engine.images.inspect("committed");
  assert.equal(inspect.Id, id);
  assert.deepEqual(inspect.RepoTags, ["committed:latest"]);
  assert.equal(inspect.Author, "Ana <ana@example.com>");
  assert.equal(inspect.Comment, "my change");
  assert.equal(inspect.Container, c.id);
  assert.deepEqual((inspect.RootFS as Json).Layers, (config.rootfs as Json).diff_ids);
  const newBytes = "new file\n".length + "root:x:0:0:root:/root:/bin/sh\n".length + "fresh\n".length;
  assert.equal(layer?.size, newBytes, "hardlinked file counted once, whiteouts nothing");
  const listed = engine.images.list().find((i) => i.id === id);
  const baseListed = engine.images.list().find((i) => i.id === baseId);
  assert.ok(listed && baseListed);
  assert.equal(listed.size, baseListed.size + newBytes);
  const rows = await engine.images.history("committed");
  assert.equal(rows.length, history.length);
  assert.deepEqual(
    [rows[0].id, rows[0].createdBy, rows[0].size, rows[0].comment],
    [id, "sh -c echo hi", newBytes, "my change"],
  );

  // A container of the new image starts with exactly these files: nothing differs.
  const c2 = await newContainer("committed");
  assert.deepEqual(engine.containers.diff(c2.id), []);
  assert.deepEqual(c2.chain, img.chain);
});

test("an empty upper adds a history entry but no layer, as Docker's NewChildImage", async () => {
  const c = await newContainer("base:1", ["true"]);
  const upper = containerLayer(root, c.id).upper;
  assert.equal(await tarDigest(upper), EMPTY_TAR_DIFF_ID, "its tar is the empty tar");
  const before = layerDirs();
  const id = await commitContainer(store, engine.images, c, { reference: "empty:v1" });
  const base = engine.images.get("base:1").image;
  const img = engine.images.get("empty:v1").image;
  assert.notEqual(id, baseId);
  assert.deepEqual(img.chain, base.chain);
  assert.deepEqual(layerDirs(), before, "no layer stored");
  const config = configOf(id);
  assert.deepEqual((config.rootfs as Json).diff_ids, (configOf(baseId).rootfs as Json).diff_ids);
  assert.deepEqual((config.history as Json[]).at(-1), {
    created: config.created,
    created_by: "true",
    empty_layer: true,
  });
  const rows = await engine.images.history("empty:v1");
  assert.equal(rows[0].size, 0);
  assert.equal(engine.images.list().find((i) => i.id === id)?.size, img.size);
  assert.equal(img.size, base.size);
});

test("a running container is frozen around the read when a freezer is given (and pause is not false)", async () => {
  const c = await newContainer("base:1");
  writeFileSync(join(containerLayer(root, c.id).upper, "x"), "x");
  const calls: string[] = [];
  const freezer = {
    pause: async (id: string) => void calls.push(`pause ${id}`),
    resume: async (id: string) => void calls.push(`resume ${id}`),
  };
  await commitContainer(store, engine.images, { ...c, state: "running" }, { freezer });
  assert.deepEqual(calls, [`pause ${c.id}`, `resume ${c.id}`]);
  calls.length = 0;
  await commitContainer(store, engine.images, { ...c, state: "running" }, { freezer, pause: false });
  await commitContainer(store, engine.images, c, { freezer });
  assert.deepEqual(calls, [], "not with pause: false, nor for a stopped container");
});

test("clear errors: missing image layers, digest references, dead containers", async () => {
  const c = await newContainer("base:1");
  const chain0 = engine.images.get("base:1").image.chain[0];
  const dir = store.layers.dir(chain0);
  renameSync(dir, `${dir}.away`);
  try {
    await assert.rejects(commitContainer(store, engine.images, c), (err: Error & { code?: string }) => {
      assert.equal(err.code, "STORE_CORRUPT");
      assert.match(err.message, new RegExp(`layer ${chain0} of its image ${c.imageId} is missing`));
      return true;
    });
  } finally {
    renameSync(`${dir}.away`, dir);
  }
  // A failure while the layer streams reaches the caller as itself, and leaves nothing staged.
  const bad = join(containerLayer(root, c.id).upper, "f");
  writeFileSync(bad, "data");
  native().lsetxattr(bad, "trusted.overlay.metacopy", Buffer.alloc(0));
  const layersBefore = layerDirs();
  await assert.rejects(commitContainer(store, engine.images, c), { code: "INTERNAL", message: /metacopy/ });
  assert.deepEqual(layerDirs(), layersBefore);
  assert.deepEqual(readdirSync(join(root, "tmp")), []);
  await assert.rejects(commitContainer(store, engine.images, c, { reference: `x@${EMPTY_TAR_DIFF_ID}` }), {
    code: "INVALID_REFERENCE",
    message: "refusing to create a tag with a digest reference",
  });
  await assert.rejects(commitContainer(store, engine.images, { ...c, state: "dead" }), {
    code: "CONFLICT",
    message: `You cannot commit container ${c.id} which is Dead`,
  });
});

test("a committed image saves and loads elsewhere as the same image", async () => {
  const archive: Buffer[] = [];
  for await (const c of await engine.images.save(["committed"])) archive.push(c as Buffer);
  const other = new Engine({ root: tempDir() });
  try {
    const loaded = await other.images.load(Readable.from([Buffer.concat(archive)]));
    assert.deepEqual(
      loaded.map((l) => l.id),
      [engine.images.get("committed").image.id],
    );
  } finally {
    other.close();
  }
});
