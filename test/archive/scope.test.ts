import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { followSymlinkInScope, readRegular } from "../../src/archive/index.ts";
import { tempDir } from "../support/tmp.ts";

test("symlinks resolve inside the root, as moby's FollowSymlinkInScope resolves them", () => {
  const root = tempDir();
  mkdirSync(join(root, "a/b"), { recursive: true });
  writeFileSync(join(root, "a/b/file"), "x");
  symlinkSync("/a/b", join(root, "abs"));
  symlinkSync("../../../../a", join(root, "a/b/up"));
  symlinkSync("/etc/passwd", join(root, "passwd"));
  symlinkSync("loop2", join(root, "loop1"));
  symlinkSync("loop1", join(root, "loop2"));
  assert.equal(followSymlinkInScope(root, "abs/file"), join(root, "a/b/file"));
  assert.equal(followSymlinkInScope(root, "a/b/up/b/file"), join(root, "a/b/file"));
  assert.equal(followSymlinkInScope(root, "../../etc/passwd"), join(root, "etc/passwd"));
  assert.equal(followSymlinkInScope(root, "passwd"), join(root, "etc/passwd"));
  assert.equal(followSymlinkInScope(root, "missing/../a"), join(root, "a"));
  assert.throws(() => followSymlinkInScope(root, "loop1"), /too many levels of symbolic links/);
  assert.equal(readRegular(root, "abs/file", { maxSize: 1 }).toString(), "x");
  assert.throws(() => readRegular(root, "a", { maxSize: 10 }), /a is not a regular file/);
  assert.throws(
    () => readRegular(root, "passwd", { maxSize: 1 << 20 }),
    /passwd: no such file in the archive/,
  );
  writeFileSync(join(root, "big"), "0123456789");
  assert.throws(() => readRegular(root, "big", { maxSize: 4 }), /big is larger than 4 bytes/);
});
