import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { applyLayer, emitLayer } from "../../src/archive/index.ts";
import { sha256Digest } from "../../src/digest/index.ts";
import { native } from "../../src/sys/index.ts";
import { tempDir } from "../support/tmp.ts";
import { buildTar, type TestEntry } from "./tar-builder.ts";

async function apply(tar: Buffer, opts: { compression?: "gzip" | "none" | "zstd"; blob?: Buffer } = {}) {
  const base = tempDir();
  const dir = join(base, "diff");
  mkdirSync(dir);
  const sentinel = join(base, "outside");
  mkdirSync(sentinel);
  const tarSplitPath = join(base, "tar-split.gz");
  const blob = opts.blob ?? tar;
  const result = await applyLayer(Readable.from([blob]), dir, {
    compression: opts.compression ?? "none",
    tarSplitPath,
  });
  return { dir, base, sentinel, result, tarSplitPath };
}

async function emitted(dir: string, tarSplitPath: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of emitLayer(dir, tarSplitPath)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("every entry type lands in overlay form with its metadata; the tar re-emits byte-exactly", async () => {
  const cap = Buffer.from([
    0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  const longName = `deep/${"n".repeat(120)}/file.txt`;
  const entries: TestEntry[] = [
    { name: "bin/", type: "5", mode: 0o755 },
    {
      name: "bin/tool",
      body: "#!/bin/sh\necho hi\n",
      mode: 0o4755,
      uid: 1000,
      gid: 1000,
      pax: { "SCHILY.xattr.security.capability": cap },
    },
    { name: "bin/hard", type: "1", linkname: "bin/tool" },
    { name: "bin/sym", type: "2", linkname: "../etc/target-that-is-absent" },
    { name: "dev/null", type: "3", devmajor: 1, devminor: 3, mode: 0o666 },
    { name: "dev/fifo", type: "6", mode: 0o600 },
    { name: "etc/.wh.removed", body: "" },
    { name: "var/lib/.wh..wh..opq" },
    { name: longName, body: "long\n" },
    { name: "late/child.txt", body: "child\n" },
    { name: "late/", type: "5", mode: 0o700, mtime: 1_600_000_000 },
    { name: "dup.txt", body: "first version\n" },
    { name: "dup.txt", body: "second\n" },
  ];
  const tar = buildTar(entries, { trailer: Buffer.alloc(2048) });
  const { dir, result, tarSplitPath } = await apply(tar);
  assert.equal(result.diffId, sha256Digest(tar));
  const tool = statSync(join(dir, "bin/tool"));
  assert.equal(tool.mode & 0o7777, 0o4755);
  assert.equal(tool.uid, 1000);
  assert.equal(tool.nlink, 2, "hardlink shares the inode");
  assert.deepEqual(native().lgetxattr(join(dir, "bin/tool"), "security.capability"), cap);
  assert.equal(readlinkSync(join(dir, "bin/sym")), "../etc/target-that-is-absent");
  const nul = lstatSync(join(dir, "dev/null"));
  assert.equal(nul.isCharacterDevice(), true);
  assert.equal(nul.rdev, (1 << 8) | 3);
  assert.equal(lstatSync(join(dir, "dev/fifo")).isFIFO(), true);
  const wh = lstatSync(join(dir, "etc/removed"));
  assert.equal(wh.isCharacterDevice() && wh.rdev === 0, true, "whiteout is a 0/0 char device");
  assert.equal(existsSync(join(dir, "etc/.wh.removed")), false);
  assert.equal(native().lgetxattr(join(dir, "var/lib"), "trusted.overlay.opaque")?.toString(), "y");
  assert.equal(readFileSync(join(dir, longName), "utf8"), "long\n");
  assert.equal(statSync(join(dir, "late")).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, "late")).mtimeMs, 1_600_000_000_000, "dir mtime set after its children");
  assert.equal(readFileSync(join(dir, "dup.txt"), "utf8"), "second\n", "last duplicate wins");
  // Sizes: tool (18) once despite the hardlink, symlink target length, long file, child, dup's last version.
  assert.equal(result.size, 18 + "../etc/target-that-is-absent".length + 5 + 6 + 7);
  const again = await emitted(dir, tarSplitPath);
  assert.equal(sha256Digest(again), result.diffId, "re-emitted tar has the same diff ID");
  assert.deepEqual(again, tar);
});

test("gzip and zstd layers: both digests are checked", async () => {
  const tar = buildTar([{ name: "a.txt", body: "hello\n" }]);
  const gz = gzipSync(tar);
  const ok = await apply(tar, { compression: "gzip", blob: gz });
  assert.equal(ok.result.digest, sha256Digest(gz));
  assert.equal(ok.result.diffId, sha256Digest(tar));
  assert.equal(ok.result.compressedSize, gz.length);
  const zst = execFileSync("zstd", ["-q", "-c"], { input: tar });
  const z = await apply(tar, { compression: "zstd", blob: zst });
  assert.equal(z.result.diffId, sha256Digest(tar));
  const base = tempDir();
  mkdirSync(join(base, "d"));
  await assert.rejects(
    applyLayer(Readable.from([gz]), join(base, "d"), {
      compression: "gzip",
      tarSplitPath: join(base, "ts"),
      expectedDigest: sha256Digest("other"),
    }),
    { code: "DIGEST_MISMATCH" },
  );
  mkdirSync(join(base, "e"));
  await assert.rejects(
    applyLayer(Readable.from([gz]), join(base, "e"), {
      compression: "gzip",
      tarSplitPath: join(base, "ts2"),
      expectedDiffId: sha256Digest("other"),
    }),
    { code: "DIFF_ID_MISMATCH" },
  );
});

test("a gzip layer's files are intact although the inflater reuses its output buffers", async () => {
  // 600 files of 9–200 KB, each its own pattern: pieces the file queue writes by reference,
  // many to a 1 MiB buffer, while the next buffers are inflated.
  const entries: TestEntry[] = [];
  for (let i = 0; i < 600; i++) {
    entries.push({
      name: `d${i % 7}/f${i}`,
      body: Buffer.alloc(9_000 + ((i * 7919) % 191_000), `file ${i};`),
    });
  }
  const tar = buildTar(entries);
  const gz = gzipSync(tar, { level: 1 });
  const { dir, result } = await apply(tar, { compression: "gzip", blob: gz });
  assert.equal(result.diffId, sha256Digest(tar));
  for (const e of entries) {
    assert.ok(readFileSync(join(dir, e.name)).equals(e.body as Buffer), `${e.name} intact`);
  }
});

test("global PAX records apply to every later entry, an entry's own records override them", async () => {
  const tar = buildTar([
    { name: "g", type: "g", pax: { mtime: "1600000000.5", "SCHILY.xattr.user.origin": "global" } },
    { name: "inherits.txt", body: "a" },
    { name: "own.txt", body: "b", pax: { mtime: "1650000000", "SCHILY.xattr.user.origin": "own" } },
  ]);
  const { dir, result, tarSplitPath } = await apply(tar);
  assert.equal(result.diffId, sha256Digest(tar));
  assert.equal(statSync(join(dir, "inherits.txt")).mtimeMs, 1600000000500);
  assert.equal(native().lgetxattr(join(dir, "inherits.txt"), "user.origin")?.toString(), "global");
  assert.equal(statSync(join(dir, "own.txt")).mtimeMs, 1650000000000);
  assert.equal(native().lgetxattr(join(dir, "own.txt"), "user.origin")?.toString(), "own");
  assert.ok((await emitted(dir, tarSplitPath)).equals(tar));
});

test("a tar read in pieces of any size unpacks as read whole: headers split across chunks", async () => {
  const entries: TestEntry[] = [
    // trusted.*, not user.*: Linux refuses user.* xattrs on the symlink below.
    { name: "g", type: "g", pax: { "SCHILY.xattr.trusted.origin": "global" } },
    { name: "dir/", type: "5" },
    { name: `dir/${"long".repeat(40)}.txt`, body: "a long name\n", pax: { mtime: "1650000000.25" } },
    { name: "dir/link", type: "2", linkname: `dir/${"target".repeat(30)}` },
    { name: "dir/plain", body: Buffer.alloc(3000, 1) },
  ];
  const tar = buildTar(entries);
  const whole = await apply(tar);
  for (const size of [1, 100, 511, 513, 1500]) {
    const base = tempDir();
    const dir = join(base, "diff");
    mkdirSync(dir);
    const pieces: Buffer[] = [];
    for (let i = 0; i < tar.length; i += size) pieces.push(tar.subarray(i, i + size));
    const result = await applyLayer(Readable.from(pieces), dir, {
      compression: "none",
      tarSplitPath: join(base, "ts"),
    });
    assert.deepEqual(result, whole.result, `pieces of ${size}`);
    const long = join(dir, `dir/${"long".repeat(40)}.txt`);
    assert.equal(readFileSync(long, "utf8"), "a long name\n");
    assert.equal(statSync(long).mtimeMs, 1650000000250);
    assert.equal(native().lgetxattr(long, "trusted.origin")?.toString(), "global");
    assert.equal(readlinkSync(join(dir, "dir/link")), `dir/${"target".repeat(30)}`);
    assert.ok((await emitted(dir, join(base, "ts"))).equals(tar), `pieces of ${size} re-emit`);
  }
});

test("an xattr the kernel refuses (user.* on a symlink: EPERM) is skipped, as moby skips it", async () => {
  const tar = buildTar([
    { name: "file", body: "x", pax: { "SCHILY.xattr.user.note": "kept" } },
    { name: "link", type: "2", linkname: "file", pax: { "SCHILY.xattr.user.note": "refused" } },
  ]);
  const { dir, result } = await apply(tar);
  assert.equal(result.diffId, sha256Digest(tar));
  assert.equal(native().lgetxattr(join(dir, "file"), "user.note")?.toString(), "kept");
  assert.equal(readlinkSync(join(dir, "link")), "file");
});

test("corrupt and truncated layers fail with CORRUPT_LAYER", async () => {
  const tar = buildTar([{ name: "a.txt", body: "x".repeat(3000) }]);
  const badSum = Buffer.from(tar);
  badSum[0] ^= 0xff;
  await assert.rejects(apply(badSum), { code: "CORRUPT_LAYER" });
  await assert.rejects(apply(tar.subarray(0, 1200)), { code: "CORRUPT_LAYER" });
  const gz = gzipSync(tar);
  await assert.rejects(apply(tar, { compression: "gzip", blob: gz.subarray(0, gz.length - 20) }), {
    code: "CORRUPT_LAYER",
  });
});

const hostile: Array<[string, TestEntry[]]> = [
  ["../ traversal", [{ name: "../outside/evil", body: "x" }]],
  ["deep traversal", [{ name: "a/../../outside/evil", body: "x" }]],
  [
    "write through a symlink",
    [
      { name: "link", type: "2", linkname: "../outside" },
      { name: "link/evil", body: "x" },
    ],
  ],
  [
    "write through an absolute symlink",
    [
      { name: "etc", type: "2", linkname: "/etc" },
      { name: "etc/evil-strata", body: "x" },
    ],
  ],
  ["hardlink out of the layer", [{ name: "h", type: "1", linkname: "../outside/target" }]],
  ["hardlink to an absent target", [{ name: "h", type: "1", linkname: "/etc/passwd" }]],
  ["whiteout through a symlink", [{ name: "l", type: "2", linkname: "../outside" }, { name: "l/.wh.x" }]],
];

for (const [what, entries] of hostile) {
  test(`hostile layer refused: ${what}`, async () => {
    const base = tempDir();
    const dir = join(base, "diff");
    mkdirSync(dir);
    const outside = join(base, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "target"), "keep");
    await assert.rejects(
      applyLayer(Readable.from([buildTar(entries)]), dir, {
        compression: "none",
        tarSplitPath: join(base, "ts"),
      }),
      { code: "UNSAFE_PATH" },
    );
    assert.deepEqual(readdirSync(outside), ["target"]);
    assert.equal(readFileSync(join(outside, "target"), "utf8"), "keep");
    assert.equal(existsSync("/etc/evil-strata"), false);
  });
}

test("absolute names are confined to the layer, as moby does", async () => {
  const { dir, sentinel } = await apply(buildTar([{ name: "/abs/file", body: "in" }]));
  assert.equal(readFileSync(join(dir, "abs/file"), "utf8"), "in");
  assert.deepEqual(readdirSync(sentinel), []);
});

test("a real GNU tar of a directory tree re-emits byte-exactly", async () => {
  const src = "/usr/share/doc/tar";
  const tar = execFileSync("tar", ["-C", "/usr/share/doc", "--xattrs", "-cf", "-", "tar", "zstd"], {
    maxBuffer: 1 << 28,
  });
  assert.ok(existsSync(src));
  const { dir, result, tarSplitPath } = await apply(tar);
  assert.equal(result.diffId, `sha256:${createHash("sha256").update(tar).digest("hex")}`);
  assert.deepEqual(await emitted(dir, tarSplitPath), tar);
});

test("the mode is set last: setuid and setgid survive for root-owned entries as for others", async () => {
  const { dir } = await apply(
    buildTar([
      { name: "bin/", type: "5", mode: 0o755 },
      { name: "bin/su", body: "#!/bin/sh\n", mode: 0o4755 },
      { name: "bin/empty-suid", mode: 0o4711 },
      { name: "bin/wall", body: "w", mode: 0o2755, gid: 5 },
      { name: "bin/user-suid", body: "u", mode: 0o6750, uid: 1000, gid: 1000 },
      { name: "shared/", type: "5", mode: 0o3777 },
      { name: "shared/tmp/", type: "5", mode: 0o1777, uid: 1000 },
      { name: "fifo", type: "6", mode: 0o4640 },
    ]),
  );
  const mode = (p: string) => lstatSync(join(dir, p)).mode & 0o7777;
  assert.equal(mode("bin/su"), 0o4755, "root-owned setuid file");
  assert.equal(mode("bin/empty-suid"), 0o4711, "empty setuid file");
  assert.equal(mode("bin/wall"), 0o2755, "setgid file with a group");
  assert.equal(mode("bin/user-suid"), 0o6750, "setuid+setgid file of uid 1000");
  assert.equal(mode("shared"), 0o3777, "setgid+sticky root directory");
  assert.equal(mode("shared/tmp"), 0o1777, "sticky directory of uid 1000");
  assert.equal(mode("fifo"), 0o4640, "fifo");
});

test("a whiteout never removes what its own layer holds, before or after it in the tar", async () => {
  const { dir } = await apply(
    buildTar([
      { name: "keep.txt", body: "mine\n" },
      { name: ".wh.keep.txt" },
      { name: "tree/", type: "5" },
      { name: "tree/leaf", body: "leaf\n" },
      { name: ".wh.tree" },
      { name: ".wh.later.txt" },
      { name: "later.txt", body: "later\n" },
      { name: ".wh.newdir" },
      { name: "newdir/inside", body: "in\n" },
      { name: ".wh.gone" },
    ]),
  );
  assert.equal(readFileSync(join(dir, "keep.txt"), "utf8"), "mine\n", "x then .wh.x: x stays");
  assert.equal(readFileSync(join(dir, "tree/leaf"), "utf8"), "leaf\n", "dir then .wh.dir: the dir stays");
  assert.equal(
    native().lgetxattr(join(dir, "tree"), "trusted.overlay.opaque")?.toString(),
    "y",
    "…and hides the lower layers' dir",
  );
  assert.equal(readFileSync(join(dir, "later.txt"), "utf8"), "later\n", ".wh.x then x: x stays");
  assert.equal(readFileSync(join(dir, "newdir/inside"), "utf8"), "in\n", ".wh.d then d/f: d/f stays");
  assert.equal(native().lgetxattr(join(dir, "newdir"), "trusted.overlay.opaque")?.toString(), "y");
  const gone = lstatSync(join(dir, "gone"));
  assert.equal(gone.isCharacterDevice() && gone.rdev === 0, true, "a plain whiteout still hides the lower x");
});

test("an opaque marker keeps its own layer's entries, whether they come before or after it", async () => {
  const { dir } = await apply(
    buildTar([
      { name: "before/", type: "5" },
      { name: "before/a", body: "a\n" },
      { name: "before/sub/b", body: "b\n" },
      { name: "before/.wh..wh..opq" },
      { name: "after/.wh..wh..opq" },
      { name: "after/", type: "5", mode: 0o750 },
      { name: "after/c", body: "c\n" },
    ]),
  );
  for (const d of ["before", "after"]) {
    assert.equal(native().lgetxattr(join(dir, d), "trusted.overlay.opaque")?.toString(), "y", d);
  }
  assert.equal(readFileSync(join(dir, "before/a"), "utf8"), "a\n");
  assert.equal(readFileSync(join(dir, "before/sub/b"), "utf8"), "b\n");
  assert.equal(readFileSync(join(dir, "after/c"), "utf8"), "c\n");
  assert.equal(statSync(join(dir, "after")).mode & 0o777, 0o750);
});

for (const [key, value] of [
  ["size", "12abc"],
  ["size", "-5"],
  ["uid", "root"],
  ["gid", "1e3"],
  ["mtime", "yesterday"],
  ["size", "99999999999999999999"],
] as const) {
  test(`a non-numeric PAX ${key}=${value} is CORRUPT_LAYER`, async () => {
    const tar = buildTar([
      { name: "f", body: "hello", pax: { [key]: value } },
      { name: "g", body: "x" },
    ]);
    await assert.rejects(apply(tar), { code: "CORRUPT_LAYER" });
  });
}

test("PAX times with fractions and negative values are numbers", async () => {
  const tar = buildTar([
    { name: "f", body: "x", pax: { mtime: "1700000000.5", atime: "-1.25", uid: "7", gid: "8", size: "1" } },
  ]);
  const { dir } = await apply(tar);
  const st = lstatSync(join(dir, "f"));
  assert.equal(st.uid, 7);
  assert.equal(Math.floor(st.mtimeMs / 1000), 1_700_000_000);
});

test("xattrs that steer overlayfs or label SELinux are dropped; others are applied", async () => {
  const { dir } = await apply(
    buildTar([
      {
        name: "d/",
        type: "5",
        pax: {
          "SCHILY.xattr.trusted.overlay.opaque": "y",
          "SCHILY.xattr.trusted.overlay.redirect": "/etc",
          "SCHILY.xattr.user.overlay.opaque": "y",
          "SCHILY.xattr.user.keep": "1",
        },
      },
      {
        name: "d/f",
        body: "f",
        pax: {
          "SCHILY.xattr.trusted.overlay.metacopy": "",
          "SCHILY.xattr.security.selinux": "system_u:object_r:shadow_t:s0",
          "SCHILY.xattr.user.note": "kept",
        },
      },
    ]),
  );
  const x = (p: string, k: string) => native().lgetxattr(join(dir, p), k)?.toString();
  assert.equal(x("d", "trusted.overlay.opaque"), undefined);
  assert.equal(x("d", "trusted.overlay.redirect"), undefined);
  assert.equal(x("d", "user.overlay.opaque"), undefined);
  assert.equal(x("d", "user.keep"), "1");
  assert.equal(x("d/f", "trusted.overlay.metacopy"), undefined);
  assert.equal(x("d/f", "security.selinux"), undefined);
  assert.equal(x("d/f", "user.note"), "kept");
});
