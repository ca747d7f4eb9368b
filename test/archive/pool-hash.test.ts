import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import { PoolHash } from "../../src/archive/pool-hash.ts";

test("the pool's SHA-256 equals node:crypto's, whatever the chunking and backlog", async () => {
  const empty = new PoolHash();
  assert.equal(await empty.digest(), `sha256:${createHash("sha256").digest("hex")}`);

  const data = randomBytes(24 << 20);
  const reference = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  const pool = new PoolHash();
  let waited = 0;
  for (let off = 0; off < data.length; ) {
    const n = Math.min(1 + ((off * 7919) % 200_000), data.length - off);
    const behind = pool.update(data.subarray(off, off + n));
    off += n;
    // Every other time the hasher asks to wait, keep feeding it instead: the backlog only grows.
    if (behind && waited++ % 2 === 0) await behind;
  }
  assert.ok(waited > 0, "24 MiB given at once outruns the hasher at least once");
  assert.equal(await pool.digest(), reference);
});
