/**
 * `system check` never deletes what another process may be writing: a
 * partial blob (`*.tmp`) of a pull in flight survives it; garbage collection
 * (`--repair`) removes it only once no writer holds the store.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Engine } from "../../src/engine.ts";
import { FileLock } from "../../src/metadata/index.ts";
import { tempDir } from "../support/tmp.ts";

test("system check leaves a concurrent write's partial blob alone; --repair clears it once the store is idle", async () => {
  const root = tempDir();
  const blobs = join(root, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const partial = join(blobs, `${"ab".repeat(32)}.0123456789ab.tmp`);
  writeFileSync(partial, "half a manifest");
  // A pull in flight holds the GC lock shared for its whole run.
  const pull = new FileLock(join(root, "locks", "gc.lock"));
  await pull.acquire("shared");
  const engine = new Engine({ root });
  try {
    const report = await engine.system.check({});
    assert.deepEqual(report.problems, []);
    assert.ok(existsSync(partial), "the in-flight write's file is still there");
    pull.release();
    await engine.system.check({ repair: true });
    assert.ok(!existsSync(partial), "a leftover nobody writes is collected");
  } finally {
    pull.release();
    await engine.close();
  }
});
