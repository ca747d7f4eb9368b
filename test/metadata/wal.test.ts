/**
 * The database's WAL across short processes (metadata/db.ts): a close leaves
 * it for the next process to read back, without the fsyncs of a checkpoint;
 * a WAL grown past its bound is checkpointed and truncated by whoever closes
 * it; a process killed after a commit loses nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type Digest, sha256Digest } from "../../src/digest/index.ts";
import { WAL_CHECKPOINT_BYTES } from "../../src/metadata/db.ts";
import { MetadataStore } from "../../src/metadata/index.ts";
import { tempDir } from "../support/tmp.ts";

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : -1);

function addLayer(store: MetadataStore, name: string, link = "L"): Digest {
  const chainId = sha256Digest(name);
  store.transaction(() =>
    store.layers.put({
      chainId,
      diffId: chainId,
      parent: null,
      size: 1,
      compressedDigest: null,
      compressedSize: null,
      mediaType: null,
      link,
      createdAt: 1,
    }),
  );
  return chainId;
}

test("a close leaves the WAL in place, and the next open reads back what it holds", () => {
  const path = join(tempDir(), "db.sqlite");
  const first = MetadataStore.open(path);
  const id = addLayer(first, "a", "kept");
  first.close();
  // The commit is still in the WAL, not checkpointed into the database by the close.
  assert.ok(walSize(path) > 0, `WAL after close: ${walSize(path)} bytes`);
  const second = MetadataStore.open(path);
  assert.equal(second.layers.get(id)?.link, "kept");
  second.close();
});

test("a WAL grown past its bound is checkpointed and truncated by the closing process", () => {
  const path = join(tempDir(), "db.sqlite");
  const store = MetadataStore.open(path);
  const big = "x".repeat(8000);
  for (let i = 0; i < 5000 && walSize(path) <= WAL_CHECKPOINT_BYTES; i++)
    addLayer(store, `l${i}`, `${i}${big}`);
  assert.ok(walSize(path) > WAL_CHECKPOINT_BYTES);
  const last = addLayer(store, "last", "end");
  store.close();
  assert.equal(walSize(path), 0);
  const again = MetadataStore.open(path);
  assert.equal(again.layers.get(last)?.link, "end");
  again.close();
});

test("a process killed after its commit loses nothing: the next open completes from the WAL", async () => {
  const path = join(tempDir(), "db.sqlite");
  MetadataStore.open(path).close();
  const script = `
    import { MetadataStore } from ${JSON.stringify(join(process.cwd(), "src/metadata/index.ts"))};
    const s = MetadataStore.open(${JSON.stringify(path)});
    s.transaction(() => s.layers.put({ chainId: "sha256:${"2".repeat(64)}", diffId: "sha256:${"2".repeat(64)}",
      parent: null, size: 1, compressedDigest: null, compressedSize: null, mediaType: null, link: "K", createdAt: 1 }));
    process.stdout.write("committed\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => child.stdout.on("data", () => resolve()));
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  const store = MetadataStore.open(path);
  assert.equal(store.layers.get(`sha256:${"2".repeat(64)}` as Digest)?.link, "K");
  store.close();
});
