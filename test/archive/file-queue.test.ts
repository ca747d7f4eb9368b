/**
 * Regular files are written off the event loop in batches (file-queue.ts):
 * these layers are large enough that later entries meet earlier ones still
 * queued or being written, and must see them as if written in place.
 */
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { applyLayer, emitLayer } from "../../src/archive/index.ts";
import { sha256Digest } from "../../src/digest/index.ts";
import { native } from "../../src/sys/index.ts";
import { tempDir } from "../support/tmp.ts";
import { buildTar, type TestEntry } from "./tar-builder.ts";

/** Feeds the tar in 64 KiB chunks, as a registry socket or the decompressor does. */
function chunked(tar: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < tar.length; i += 65536) parts.push(tar.subarray(i, i + 65536));
  return Readable.from(parts);
}

async function apply(tar: Buffer) {
  const base = tempDir();
  const dir = join(base, "diff");
  mkdirSync(dir);
  const tarSplitPath = join(base, "tar-split.gz");
  const result = await applyLayer(chunked(tar), dir, { compression: "none", tarSplitPath });
  const out: Buffer[] = [];
  for await (const c of emitLayer(dir, tarSplitPath)) out.push(c as Buffer);
  return { dir, result, emitted: Buffer.concat(out) };
}

/** A big file's content, different in every block (a misplaced chunk would show). */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

const openFds = () => readdirSync("/proc/self/fd").length;

test("files written in batches: replacements, links and whiteouts across batches, big files by chunks", async () => {
  const many: TestEntry[] = [];
  for (let i = 0; i < 600; i++) {
    many.push({
      name: `d${i % 7}/f${i}`,
      body: `file ${i}\n`.repeat(1 + (i % 50)),
      mode: 0o640,
      mtime: 1_600_000_000 + i,
    });
  }
  const big = pattern(3 << 20, 7);
  const entries: TestEntry[] = [
    ...many,
    { name: "big.bin", body: big, mode: 0o4755, uid: 1000, gid: 1000 },
    { name: "d1/f1", body: "replaced\n" }, // replaces a file written batches ago
    { name: "hard", type: "1", linkname: "d2/f2" }, // links one written batches ago
    { name: "d3/.wh.f3" }, // its own layer's file: stays
    { name: "d4", body: "a file now\n" }, // a directory of queued files becomes a file
    { name: "d5/f5", type: "2", linkname: "elsewhere" }, // a file becomes a symlink
    { name: "suid", body: "s", mode: 0o4755 }, // root-owned setuid, last in the queue
    { name: "big.bin", body: pattern(2 << 20, 9) }, // a big file replaced by another
  ];
  const tar = buildTar(entries, { trailer: Buffer.alloc(1024) });
  const fds = openFds();
  const { dir, result, emitted } = await apply(tar);
  assert.equal(openFds(), fds, "no descriptor left open");
  assert.equal(result.diffId, sha256Digest(tar));
  assert.deepEqual(emitted, tar, "the tar re-emits byte-exactly (shadowed contents saved)");
  // Files of every batch that no later entry touched (d4/ became a file).
  for (const i of [0, 99, 128, 129, 300, 598]) {
    const st = statSync(join(dir, `d${i % 7}/f${i}`));
    assert.equal(st.mode & 0o7777, 0o640, `f${i} mode`);
    assert.equal(st.mtimeMs, (1_600_000_000 + i) * 1000, `f${i} mtime`);
    assert.equal(readFileSync(join(dir, `d${i % 7}/f${i}`), "utf8"), `file ${i}\n`.repeat(1 + (i % 50)));
  }
  assert.equal(readFileSync(join(dir, "d1/f1"), "utf8"), "replaced\n");
  assert.equal(statSync(join(dir, "hard")).ino, statSync(join(dir, "d2/f2")).ino);
  assert.equal(readFileSync(join(dir, "d3/f3"), "utf8"), "file 3\n".repeat(4));
  assert.equal(readFileSync(join(dir, "d4"), "utf8"), "a file now\n");
  assert.equal(lstatSync(join(dir, "d5/f5")).isSymbolicLink(), true);
  assert.equal(statSync(join(dir, "suid")).mode & 0o7777, 0o4755);
  assert.deepEqual(readFileSync(join(dir, "big.bin")), pattern(2 << 20, 9));
  assert.equal(native().lgetxattr(join(dir, "d3"), "trusted.overlay.opaque"), null);
});

test("a big file keeps its owner and setuid bit; a layer that fails mid-way leaves nothing open", async () => {
  const big = pattern(5 << 20, 3);
  const { dir } = await apply(buildTar([{ name: "bin/tool", body: big, mode: 0o4750, uid: 1000, gid: 5 }]));
  const st = statSync(join(dir, "bin/tool"));
  assert.equal(st.mode & 0o7777, 0o4750);
  assert.equal(st.uid, 1000);
  assert.equal(st.gid, 5);
  assert.deepEqual(readFileSync(join(dir, "bin/tool")), big);

  const entries: TestEntry[] = [];
  for (let i = 0; i < 400; i++) entries.push({ name: `f${i}`, body: "x".repeat(3000) });
  entries.push({ name: "cut", body: pattern(2 << 20, 1) });
  const tar = buildTar(entries);
  const fds = openFds();
  const base = tempDir();
  mkdirSync(join(base, "diff"));
  await assert.rejects(
    applyLayer(chunked(tar.subarray(0, tar.length - (1 << 20))), join(base, "diff"), {
      compression: "none",
      tarSplitPath: join(base, "ts"),
    }),
    { code: "CORRUPT_LAYER" },
  );
  assert.equal(openFds(), fds, "the half-written file was closed");
});
