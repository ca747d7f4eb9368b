/**
 * A build step's upper directory kept as its layer: the diff ID is the one
 * `tarUpperDir` streams (commit's path), and the stored tar-split re-emits
 * exactly that tar from the adopted directory.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, linkSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { test } from "node:test";
import { emitLayer, tarUpperDir } from "../../src/archive/index.ts";
import { ingestUpper } from "../../src/image/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { native } from "../../src/sys/index.ts";
import { tempDir } from "../support/tmp.ts";

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

async function sha(stream: Readable): Promise<string> {
  const h = createHash("sha256");
  for await (const c of stream) h.update(c as Buffer);
  return `sha256:${h.digest("hex")}`;
}

test("ingestUpper: same diff ID as the commit path, byte-exact re-export, whiteouts kept in overlay form", async () => {
  const root = tempDir();
  const store = new Store(root);
  const upper = join(root, "tmp", "upper-under-test");
  mkdirSync(join(upper, "d", "o"), { recursive: true });
  writeFileSync(join(upper, "small.txt"), "hello\n");
  writeFileSync(join(upper, "empty"), "");
  writeFileSync(join(upper, "big.bin"), Buffer.alloc(200_000, 7));
  linkSync(join(upper, "small.txt"), join(upper, "d", "hard"));
  symlinkSync("../small.txt", join(upper, "d", "link"));
  native().mknod(join(upper, "gone"), S_IFCHR, 0, 0);
  native().mknod(join(upper, "fifo"), S_IFIFO | 0o600, 0, 0);
  native().lsetxattr(join(upper, "d", "o"), "trusted.overlay.opaque", Buffer.from("y"));
  writeFileSync(join(upper, "d", "o", "new"), "new\n");
  const expected = await sha(tarUpperDir(upper));
  try {
    const layer = await ingestUpper(store, upper, null);
    assert.equal(layer.diffId, expected);
    assert.equal(layer.chainId, expected);
    assert.ok(!existsSync(upper), "the upper was moved, not copied");
    const diff = store.layers.diffDir(layer.chainId);
    assert.ok(lstatSync(join(diff, "gone")).isCharacterDevice());
    assert.equal(await sha(emitLayer(diff, store.layers.tarSplitPath(layer.chainId))), expected);
    assert.equal(layer.size, 6 + 200_000 + "../small.txt".length + 4);
    assert.equal(store.meta.layers.get(layer.chainId)?.size, layer.size);
    // Clamped times change the tar (and so the ID), and the tar-split still re-emits it exactly.
    const again = join(root, "tmp", "upper-clamped");
    mkdirSync(again);
    writeFileSync(join(again, "f"), "f\n");
    const clamped = await ingestUpper(store, again, layer.chainId, { clampMtime: 0 });
    const cdiff = store.layers.diffDir(clamped.chainId);
    assert.equal(await sha(emitLayer(cdiff, store.layers.tarSplitPath(clamped.chainId))), clamped.diffId);
  } finally {
    store.close();
  }
});
