import assert from "node:assert/strict";
import { test } from "node:test";
import { chainIds, parseDigest, sha256Digest, shortHex } from "../../src/digest/index.ts";

test("chain IDs hash the full digest strings joined by one space", () => {
  const a = sha256Digest("a");
  const b = sha256Digest("b");
  const c = sha256Digest("c");
  const ab = sha256Digest(`${a} ${b}`);
  assert.deepEqual(chainIds([a, b, c]), [a, ab, sha256Digest(`${ab} ${c}`)]);
  assert.deepEqual(chainIds([]), []);
});

test("parseDigest accepts sha256 and names what is wrong otherwise", () => {
  const d = sha256Digest("x");
  assert.equal(parseDigest(d), d);
  assert.equal(shortHex(d), d.slice(7, 19));
  assert.throws(() => parseDigest("sha256:abc"), /invalid checksum digest length/);
  assert.throws(() => parseDigest(`sha512:${"a".repeat(128)}`), /unsupported digest algorithm/);
  assert.throws(() => parseDigest("nope"), /invalid digest format/);
});
