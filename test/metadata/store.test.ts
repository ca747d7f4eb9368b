import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { chainIds, type Digest, sha256Digest } from "../../src/digest/index.ts";
import { FileLock, MetadataStore } from "../../src/metadata/index.ts";
import { tempDir } from "../support/tmp.ts";

const d = (s: string): Digest => sha256Digest(s);

function layer(chainId: Digest, size: number) {
  return {
    chainId,
    diffId: chainId,
    parent: null,
    size,
    compressedDigest: d(`c${chainId}`),
    compressedSize: size / 2,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    link: `L${size}`,
    createdAt: 1,
  };
}

function image(id: Digest, chain: Digest[]) {
  return {
    id,
    manifestDigest: d(`m${id}`),
    manifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    indexDigest: null,
    created: "2026-11-22T10:19:08.913238265Z",
    os: "linux",
    architecture: "amd64",
    variant: null,
    chain,
    size: 3,
    lastTagTime: null,
    storedAt: 2,
  };
}

test("layers, images and refs round-trip through SQLite", () => {
  const store = MetadataStore.open(join(tempDir(), "db.sqlite"));
  const [a, ab] = chainIds([d("a"), d("b")]);
  assert.equal(store.layers.put(layer(a, 10)), true);
  assert.equal(store.layers.put(layer(a, 10)), false, "a chain ID is stored once");
  store.layers.put(layer(ab, 20));
  assert.equal(store.layers.get(ab)?.size, 20);
  const id = d("config");
  store.images.put(image(id, [a, ab]));
  assert.deepEqual(store.images.get(id)?.chain, [a, ab]);
  assert.equal(store.images.findByPrefix(id.slice(7, 19)).length, 1);
  assert.equal(store.images.findByPrefix("ffffffffffff").length, 0);
  const before = store.images.setRef({
    name: "docker.io/library/x:v1",
    repo: "docker.io/library/x",
    kind: "tag",
    imageId: id,
  });
  assert.equal(before, undefined);
  assert.equal(
    store.images.setRef({
      name: "docker.io/library/x:v1",
      repo: "docker.io/library/x",
      kind: "tag",
      imageId: id,
    }),
    id,
  );
  assert.deepEqual(
    store.images.refsOf(id).map((r) => r.name),
    ["docker.io/library/x:v1"],
  );
  store.images.delete(id);
  assert.equal(store.images.get(id), undefined);
  assert.equal(store.images.refsOf(id).length, 0);
  store.close();
});

test("a second process sees committed writes and waits on the write lock", async () => {
  const path = join(tempDir(), "db.sqlite");
  const store = MetadataStore.open(path);
  const script = `
    import { MetadataStore } from ${JSON.stringify(join(process.cwd(), "src/metadata/index.ts"))};
    const s = MetadataStore.open(${JSON.stringify(path)});
    s.transaction(() => s.layers.put({ chainId: "sha256:${"1".repeat(64)}", diffId: "sha256:${"1".repeat(64)}",
      parent: null, size: 1, compressedDigest: null, compressedSize: null, mediaType: null, link: "X", createdAt: 1 }));
    s.close();`;
  // Hold the write lock for a moment: the child must queue, not fail.
  store.db.exec("BEGIN IMMEDIATE");
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: "inherit",
  });
  await new Promise((r) => setTimeout(r, 300));
  store.db.exec("COMMIT");
  const code = await new Promise((r) => child.on("exit", r));
  assert.equal(code, 0);
  assert.equal(store.layers.get(`sha256:${"1".repeat(64)}` as Digest)?.link, "X");
  store.close();
});

test("file locks exclude across descriptors and are released on close", async () => {
  const path = join(tempDir(), "x.lock");
  const a = new FileLock(path);
  const b = new FileLock(path);
  await a.acquire("shared");
  assert.equal(b.tryAcquire("shared"), true);
  b.release();
  assert.equal(b.tryAcquire("exclusive"), false);
  a.release();
  assert.equal(b.tryAcquire("exclusive"), true);
  b.release();
});
