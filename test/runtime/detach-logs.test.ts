/** Detach keys (moby/term rules) and the k8s-file log reader. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DetachMatcher } from "../../src/runtime/detach-keys.ts";
import { copyLogs, dockerTimestamp, parseDetachKeys, readLogs } from "../../src/runtime/index.ts";
import { tempDir } from "../support/tmp.ts";
import { collect } from "./helpers.ts";

test("detach keys parse like Docker's", () => {
  assert.deepEqual([...parseDetachKeys("ctrl-p,ctrl-q")], [16, 17]);
  assert.deepEqual(
    [...parseDetachKeys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,a")],
    [0, 27, 28, 29, 30, 31, 97],
  );
  assert.throws(() => parseDetachKeys("ctrl-1"), /Unknown character: 'ctrl-1'/);
  assert.throws(() => parseDetachKeys("shift-a"), /Unknown key: 'shift-a'/);
});

test("the sequence detaches only when typed key by key; a mismatch releases what was held", () => {
  const m = new DetachMatcher(parseDetachKeys("ctrl-p,ctrl-q"));
  assert.deepEqual(m.feed(Buffer.from("ab")), { data: Buffer.from("ab"), detached: false });
  assert.deepEqual(m.feed(Buffer.from([16])), { data: Buffer.alloc(0), detached: false });
  assert.deepEqual(m.feed(Buffer.from("x")), { data: Buffer.from([16, 120]), detached: false });
  assert.deepEqual(m.feed(Buffer.from([16])).detached, false);
  assert.deepEqual(m.feed(Buffer.from([17])), { data: Buffer.alloc(0), detached: true });
  // Inside a larger read (pasted or piped input) the bytes pass through.
  assert.deepEqual(m.feed(Buffer.from([16, 17])), { data: Buffer.from([16, 17]), detached: false });
  assert.deepEqual(new DetachMatcher(Buffer.alloc(0)).feed(Buffer.from([16])).data, Buffer.from([16]));
});

const LOG = [
  "2026-11-22T17:43:51.922783320+00:00 stdout F hello",
  "2026-11-22T17:43:51.922783321+00:00 stderr F oops",
  "2026-11-22T17:43:51.922783322+00:00 stdout P part one ",
  "2026-11-22T17:43:51.922783323+00:00 stdout F and two",
  "2026-11-22T17:43:51.922783324+00:00 stdout F ",
  "2026-11-22T18:43:51.5+01:00 stdout F last",
  "",
].join("\n");

test("readLogs gives Docker's plain output per stream", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "container.log"), LOG);
  const out = await collect(dir, {});
  assert.equal(out.stdout, "hello\npart one and two\n\nlast\n");
  assert.equal(out.stderr, "oops\n");
  assert.equal((await collect(tempDir(), {})).stdout, "", "no log yet: nothing");
});

test("tail counts whole lines from the end", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "container.log"), LOG);
  assert.equal((await collect(dir, { tail: 2 })).stdout, "\nlast\n");
  assert.equal((await collect(dir, { tail: 3 })).stdout, "part one and two\n\nlast\n");
  assert.equal((await collect(dir, { tail: 0 })).stdout, "");
  assert.equal((await collect(dir, { tail: 100 })).stdout, "hello\npart one and two\n\nlast\n");
  // Many lines, so the backward scan crosses its 64 KiB chunks.
  const many = Array.from(
    { length: 5000 },
    (_, i) => `2026-11-22T17:43:51.000000000+00:00 stdout F line ${i} ${"x".repeat(40)}`,
  );
  writeFileSync(join(dir, "container.log"), `${many.join("\n")}\n`);
  const tail = (await collect(dir, { tail: 3000 })).stdout.split("\n");
  assert.equal(tail.length, 3001);
  assert.match(tail[0] as string, /^line 2000 /);
});

test("timestamps are UTC with nine digits, as docker logs -t", async () => {
  assert.equal(dockerTimestamp("2026-11-22T18:43:51.5+01:00"), "2026-11-22T17:43:51.500000000Z");
  const dir = tempDir();
  writeFileSync(join(dir, "container.log"), LOG);
  const lines: string[] = [];
  for await (const e of readLogs(dir, { tail: 1 })) lines.push(dockerTimestamp(e.time));
  assert.deepEqual(lines, ["2026-11-22T17:43:51.500000000Z"]);
  const out = await collect(dir, { tail: 2, timestamps: true });
  assert.equal(out.stdout, "2026-11-22T17:43:51.922783324Z \n2026-11-22T17:43:51.500000000Z last\n");
  void copyLogs;
});
