/**
 * Leases against garbage collection: what a live lease pins survives a full
 * sweep, and is garbage again once the lease ends — or once its owner is
 * gone (its lock is free), whatever the table still says.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { acquireLease, leasedResources, sweep } from "../../src/gc/index.ts";
import { ownedByLiveProcess } from "../../src/gc/staging.ts";
import { ingestUpper } from "../../src/image/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { tempDir } from "../support/tmp.ts";

async function storeWithLayer() {
  const store = new Store(tempDir());
  const upper = join(store.root, "tmp", "upper");
  mkdirSync(upper, { recursive: true });
  writeFileSync(join(upper, "f"), "f\n");
  const layer = await ingestUpper(store, upper, null);
  const blob = store.content.write(Buffer.from("a blob nothing names"));
  return { store, layer: layer.chainId, blob };
}

test("a live lease's layers and blobs survive a sweep; released, they are swept", async () => {
  const { store, layer, blob } = await storeWithLayer();
  const lease = acquireLease(store, "test");
  lease.pin([
    { type: "layer", key: layer },
    { type: "blob", key: blob },
  ]);
  await sweep(store);
  assert.ok(store.meta.layers.get(layer), "the pinned layer is kept");
  assert.ok(store.content.has(blob), "the pinned blob is kept");
  lease.release();
  assert.deepEqual(store.meta.leases.list(), []);
  const swept = await sweep(store);
  assert.deepEqual(swept?.layers, [layer]);
  assert.deepEqual(swept?.blobs, [blob]);
});

test("a lease whose owner is gone (its lock free) pins nothing and is deleted by the next collector", async () => {
  const { store, layer } = await storeWithLayer();
  // What a killed command leaves: the rows, and no process holding the lock.
  store.meta.leases.insert({ id: "dead", purpose: "build", pid: 1, createdAt: Date.now() });
  store.meta.leases.pin("dead", [{ type: "layer", key: layer }]);
  assert.deepEqual(
    store.meta.transaction(() => leasedResources(store)),
    [],
  );
  assert.deepEqual(store.meta.leases.list(), []);
  await sweep(store);
  assert.equal(store.meta.layers.get(layer), undefined);
});

test("staging entries of a live build or of a layer a live process unpacks are theirs; a dead one's are not", () => {
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
  assert.equal(ownedByLiveProcess(`/store/tmp/build-${process.pid}-abc`), true);
  assert.equal(ownedByLiveProcess(`/store/tmp/build-${dead}-abc`), false);
  assert.equal(ownedByLiveProcess(`/store/tmp/layer-${process.pid}-abc`), true);
  assert.equal(ownedByLiveProcess(`/store/tmp/layer-${dead}-abc`), false);
  assert.equal(ownedByLiveProcess(`/store/tmp/removing-${process.pid}-abc`), false);
});
