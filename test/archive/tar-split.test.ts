/**
 * The tar-split writer (src/archive/tar-split.ts): records read back as
 * written, whether compressed in-process (small) or by igzip through a
 * blocking pipe written on the libuv pool (over 4 MB), or by zlib without igzip.
 * Raw bytes are copied as they are given (callers pass views of reused chunks).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readTarSplit, type SplitRecord, TarSplitWriter } from "../../src/archive/tar-split.ts";
import { tempDir } from "../support/tmp.ts";

const dir = tempDir();

/** Consecutive R records as one (a run of raw bytes may be split where a batch ends). */
function merged(records: SplitRecord[]): SplitRecord[] {
  const out: SplitRecord[] = [];
  for (const r of records) {
    const last = out[out.length - 1];
    if (r.kind === "R" && last?.kind === "R")
      out[out.length - 1] = { kind: "R", bytes: Buffer.concat([last.bytes, r.bytes]) };
    else out.push(r);
  }
  return out;
}

/** `entries` header-like raw records and F records, as a layer of that many files writes them. */
async function writeAndRead(name: string, entries: number): Promise<SplitRecord[]> {
  const path = join(dir, `${name}.gz`);
  const w = new TarSplitWriter(path);
  // One buffer for every raw piece, overwritten after each call, as a reused chunk would be.
  const reused = Buffer.alloc(512);
  for (let i = 0; i < entries; i++) {
    w.raw(reused.fill(i % 251));
    w.raw(Buffer.from(`pad${i}`));
    reused.fill(0xee);
    w.file(`data/f${i}.txt`, i);
    // Let the pool's writes complete now and then, as a pull's awaits do, so batch buffers are reused.
    if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
  }
  w.shadow(1, Buffer.from("saved inline"));
  await w.close();
  return merged(readTarSplit(path));
}

function check(records: SplitRecord[], entries: number): void {
  assert.equal(records.length, entries * 2);
  for (let i = 0; i < entries; i++) {
    const raw = records[2 * i];
    const file = records[2 * i + 1];
    assert.equal(raw.kind, "R");
    assert.deepEqual(
      raw.kind === "R" && raw.bytes,
      Buffer.concat([Buffer.alloc(512, i % 251), Buffer.from(`pad${i}`)]),
    );
    assert.deepEqual(file, {
      kind: "F",
      path: `data/f${i}.txt`,
      size: i,
      ...(i === 1 ? { inline: Buffer.from("saved inline") } : {}),
    });
  }
  const second = records[3];
  assert.deepEqual(second.kind === "F" && second.inline, Buffer.from("saved inline"));
}

test("a small tar-split, compressed in-process at close", async () => {
  check(await writeAndRead("small", 100), 100);
});

test("a large one, through igzip's pipe, batch after batch in order", async () => {
  // 20,000 entries of ~530 bytes: ~11 MB of records, past the 4 MB kept in memory.
  check(await writeAndRead("large", 20000), 20000);
});

test("a large one without igzip, through zlib", async () => {
  process.env.STRATA_NO_IGZIP = "1";
  try {
    check(await writeAndRead("zlib", 20000), 20000);
  } finally {
    delete process.env.STRATA_NO_IGZIP;
  }
});
