import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isStrataError } from "../../src/errors.ts";
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, resolveInRoot } from "../../src/volume/index.ts";
import { tempDir } from "../support/tmp.ts";

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(isStrataError(err));
    return err.message;
  }
  assert.fail("no error");
};

test("-v: binds, named and anonymous volumes, modes, Docker's refusals", () => {
  const bind = parseVolumeFlag("/src/bind:/b:ro");
  assert.deepEqual(
    [bind.type, bind.source, bind.target, bind.readOnly, bind.mode],
    ["bind", "/src/bind", "/b", true, "ro"],
  );
  const named = parseVolumeFlag("cap-vol1:/data");
  assert.deepEqual([named.type, named.source, named.mode, named.copyData], ["volume", "cap-vol1", "z", true]);
  assert.equal(parseVolumeFlag("v1:/data:nocopy").copyData, false);
  const anon = parseVolumeFlag("/data/");
  assert.deepEqual([anon.type, anon.source, anon.target], ["volume", "", "/data"]);
  assert.equal(parseVolumeFlag("./site:/w", "/home/u").source, "/home/u/site");
  assert.equal(parseVolumeFlag(".:/w", "/home/u").source, "/home/u");
  assert.match(
    message(() => parseVolumeFlag("../site:/w")),
    /^create \.\.\/site: "\.\.\/site" includes invalid characters/,
  );
  assert.equal(
    message(() => parseVolumeFlag("/a:/b:bogus")),
    "invalid mode: bogus",
  );
  assert.equal(
    message(() => parseVolumeFlag("a:b:c:d")),
    "invalid volume specification: 'a:b:c:d'",
  );
  assert.equal(
    message(() => parseVolumeFlag("/a:rel")),
    "invalid volume specification: '/a:rel'",
  );
  assert.equal(
    message(() => parseVolumeFlag("/a:/")),
    "invalid specification: destination can't be '/'",
  );
});

test("--mount: keys, defaults and docker/cli's messages", () => {
  const b = parseMountFlag("type=bind,source=/h,target=/c,readonly,bind-propagation=rshared");
  assert.deepEqual(
    [b.type, b.source, b.target, b.readOnly, b.propagation, b.createSource],
    ["bind", "/h", "/c", true, "rshared", false],
  );
  const v = parseMountFlag("src=data,dst=/d,volume-nocopy,volume-label=a=b");
  assert.deepEqual([v.type, v.source, v.copyData, v.volumeLabels], ["volume", "data", false, { a: "b" }]);
  const t = parseMountFlag("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770");
  assert.deepEqual(t.tmpfsOptions, ["size=67108864", "mode=1770"]);
  assert.equal(
    message(() => parseMountFlag("type=bind,src=/h,dst=/c,foo=bar")),
    `invalid argument "type=bind,src=/h,dst=/c,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`,
  );
  assert.equal(
    message(() => parseMountFlag("type=bind,src=/h")),
    `invalid argument "type=bind,src=/h" for "--mount" flag: target is required`,
  );
  assert.equal(
    message(() => parseMountFlag("type=bind,dst=/c")),
    'invalid mount config for type "bind": field Source must not be empty',
  );
  assert.equal(
    message(() => parseMountFlag("type=tmpfs,src=x,dst=/c")),
    'invalid mount config for type "tmpfs": field Source must not be specified',
  );
  assert.equal(
    message(() => parseMountFlag("type=nfs,dst=/c")),
    'invalid mount config for type "nfs": mount type unknown',
  );
  assert.match(
    message(() => parseMountFlag("type=bind,src=/h,dst=/c,volume-nocopy")),
    /cannot mix 'volume-\*' options with mount type 'bind'/,
  );
});

test("--tmpfs: path and mount options", () => {
  const t = parseTmpfsFlag("/run:rw,size=1m,exec");
  assert.deepEqual([t.target, t.tmpfsOptions], ["/run", ["rw", "size=1m", "exec"]]);
});

test("resolveInRoot keeps every symlink inside the root", () => {
  const root = tempDir();
  mkdirSync(join(root, "etc"));
  symlinkSync("/", join(root, "up"));
  symlinkSync("../../../../etc", join(root, "etc", "dotdot"));
  symlinkSync("/etc/../../outside", join(root, "abs"));
  symlinkSync("loop2", join(root, "loop1"));
  symlinkSync("loop1", join(root, "loop2"));
  assert.equal(resolveInRoot(root, "/up/etc/passwd"), join(root, "etc", "passwd"));
  assert.equal(resolveInRoot(root, "/etc/dotdot/x"), join(root, "etc", "x"));
  assert.equal(resolveInRoot(root, "/abs/y"), join(root, "outside", "y"));
  assert.equal(resolveInRoot(root, "/../../.."), root);
  assert.match(
    message(() => resolveInRoot(root, "/loop1")),
    /too many links/,
  );
});
