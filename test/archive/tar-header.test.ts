/**
 * Tar header checksums (src/archive/tar-header.ts): the sum is read four
 * bytes at a time from an aligned copy, with the same verdicts at whatever
 * offset the block sits; old tars' signed sums are accepted; a changed byte
 * anywhere outside the checksum field is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHeader } from "../../src/archive/tar-header.ts";
import { buildTar } from "./tar-builder.ts";

/** A header block with a name of high bytes (UTF-8), its checksum as `sum` says. */
function block(sum: "unsigned" | "signed"): Buffer {
  const b = Buffer.from(buildTar([{ name: "répertoire/fïchier-ü", body: "x" }]).subarray(0, 512));
  let unsigned = 8 * 32;
  let signed = 8 * 32;
  for (let i = 0; i < 512; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += b[i];
    signed += b[i] > 127 ? b[i] - 256 : b[i];
  }
  b.write(`${(sum === "unsigned" ? unsigned : signed).toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return b;
}

/** `b` at byte offset `offset` of a larger buffer (as a view of a chunk would be). */
function at(b: Buffer, offset: number): Buffer {
  const big = Buffer.alloc(offset + 512 + 16);
  b.copy(big, offset);
  return big.subarray(offset, offset + 512);
}

test("at any offset, a block's checksum is accepted, unsigned or signed, and any changed byte refused", () => {
  for (const offset of [0, 1, 2, 3, 4, 512]) {
    for (const kind of ["unsigned", "signed"] as const) {
      const good = at(block(kind), offset);
      assert.equal(parseHeader(good).name, "répertoire/fïchier-ü", `${kind} at ${offset}`);
      for (const i of [0, 99, 147, 156, 300, 511]) {
        const bad = at(block(kind), offset);
        bad[i] ^= 0x01;
        assert.throws(
          () => parseHeader(bad),
          /invalid tar header: checksum mismatch/,
          `byte ${i} at ${offset}`,
        );
      }
    }
  }
});
