/**
 * eachLimited (src/sys/each-limited.ts), which pull, push and the collector's
 * removals share: at most `limit` at once, in list order; the first failure
 * starts nothing more and aborts the others' signal, and is reported once
 * every started item has ended; an outer abort is reported as its reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eachLimited } from "../../src/sys/each-limited.ts";

test("at most `limit` at once, every item once, started in list order", async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    started.push(n);
    most = Math.max(most, ++running);
    await sleep(5);
    running--;
  });
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(most, 3);
});

test("the first failure starts nothing more, aborts the others, and waits for them", async () => {
  const started: number[] = [];
  let ended = 0;
  const failure = new Error("item 2 failed");
  await assert.rejects(
    eachLimited([1, 2, 3, 4, 5], 2, async (n, signal) => {
      started.push(n);
      if (n === 2) throw failure;
      await sleep(20);
      assert.ok(signal.aborted, "the others' signal is aborted");
      ended++;
    }),
    failure,
  );
  assert.deepEqual(started, [1, 2]);
  assert.equal(ended, 1, "item 1 ended before the call rejected");
});

test("an outer abort is reported as its reason", async () => {
  const outer = new AbortController();
  const reason = new Error("cancelled by the caller");
  await assert.rejects(
    eachLimited(
      [1, 2, 3],
      1,
      async (_n, signal) => {
        outer.abort(reason);
        assert.ok(signal.aborted);
        throw new Error("the work's own error");
      },
      outer.signal,
    ),
    reason,
  );
});
