/** resolveUser: runc's GetExecUser rules against the container's own /etc files. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { resolveUser } from "../../src/runtime/index.ts";
import { tempDir } from "../support/tmp.ts";

const rootfs = tempDir();
mkdirSync(join(rootfs, "etc"));
writeFileSync(
  join(rootfs, "etc", "passwd"),
  "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n",
);
writeFileSync(
  join(rootfs, "etc", "group"),
  "root:x:0:\nwheel:x:10:app,root\nnogroup:x:65534:\napp:x:1000:\naudio:x:29:app\n",
);

test("empty means root, with root's supplementary groups", () => {
  assert.deepEqual(resolveUser(rootfs, ""), { uid: 0, gid: 0, additionalGids: [10] });
});

test("a name gets its uid, primary gid and the groups listing it", () => {
  assert.deepEqual(resolveUser(rootfs, "app"), { uid: 1000, gid: 1000, additionalGids: [10, 29] });
  assert.deepEqual(resolveUser(rootfs, "nobody"), { uid: 65534, gid: 65534, additionalGids: [] });
});

test("a known uid is looked up too; an unknown one is taken as is with gid 0", () => {
  assert.deepEqual(resolveUser(rootfs, "65534"), { uid: 65534, gid: 65534, additionalGids: [] });
  assert.deepEqual(resolveUser(rootfs, "4242"), { uid: 4242, gid: 0, additionalGids: [] });
});

test("an explicit group replaces the primary gid and drops supplementary groups", () => {
  assert.deepEqual(resolveUser(rootfs, "app:audio"), { uid: 1000, gid: 29, additionalGids: [] });
  assert.deepEqual(resolveUser(rootfs, "app:777"), { uid: 1000, gid: 777, additionalGids: [] });
  assert.deepEqual(resolveUser(rootfs, "4242:4343"), { uid: 4242, gid: 4343, additionalGids: [] });
});

test("unknown names fail with Docker's wording", () => {
  assert.throws(
    () => resolveUser(rootfs, "ghost"),
    /^StrataError: unable to find user ghost: no matching entries in passwd file$/,
  );
  assert.throws(
    () => resolveUser(rootfs, "app:ghosts"),
    /unable to find group ghosts: no matching entries in group file/,
  );
});

test("--group-add appends groups by name or number", () => {
  assert.deepEqual(resolveUser(rootfs, "nobody", ["audio", "4000"]), {
    uid: 65534,
    gid: 65534,
    additionalGids: [29, 4000],
  });
});
