import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ContentStore } from "../../src/content/index.ts";
import { sha256Digest } from "../../src/digest/index.ts";
import { tempDir } from "../support/tmp.ts";

test("blobs are stored by digest, verified, and listed", () => {
  const root = tempDir();
  const store = new ContentStore(root);
  const bytes = Buffer.from('{"a":1}');
  const digest = store.write(bytes);
  assert.equal(digest, sha256Digest(bytes));
  assert.equal(store.has(digest), true);
  assert.deepEqual(store.read(digest), bytes);
  assert.equal(store.verify(digest), true);
  assert.throws(() => store.write(Buffer.from("x"), digest), { code: "DIGEST_MISMATCH" });
  // A partial write is not a blob; list() skips it (another process may be writing it), removePartial() clears it.
  writeFileSync(join(root, "blobs", "sha256", "abc.123.tmp"), "partial");
  assert.deepEqual(store.list(), [digest]);
  assert.equal(readdirSync(join(root, "blobs", "sha256")).length, 2);
  store.removePartial();
  assert.deepEqual(readdirSync(join(root, "blobs", "sha256")), [digest.slice(7)]);
  store.delete(digest);
  assert.equal(store.has(digest), false);
  assert.throws(() => store.read(digest), { code: "NOT_FOUND" });
});
