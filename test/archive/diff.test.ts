import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { applyLayer, tarUpperDir } from "../../src/archive/index.ts";
import { ByteSource, TarReader } from "../../src/archive/tar-reader.ts";
import { sha256Digest } from "../../src/digest/index.ts";
import { native } from "../../src/sys/index.ts";
import { tempDir } from "../support/tmp.ts";

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const T = 1_700_000_000;
const BIN = Buffer.from([0x00, 0xff, 0x0a, 0x3d, 0x20, 0x80, 0x00]);
const LONG = `deep/${"n".repeat(120)}.txt`;
const BIG = Buffer.alloc(3 * (1 << 20) + 17, 0x61);

interface Seen {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  dev: string;
  xattrs: Record<string, string>;
  body: Buffer;
}

async function collect(stream: Readable): Promise<{ tar: Buffer; maxChunk: number }> {
  const chunks: Buffer[] = [];
  let maxChunk = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    maxChunk = Math.max(maxChunk, (c as Buffer).length);
  }
  return { tar: Buffer.concat(chunks), maxChunk };
}

async function entries(tar: Buffer): Promise<Seen[]> {
  const reader = new TarReader(new ByteSource(Readable.from([tar])[Symbol.asyncIterator]()));
  const out: Seen[] = [];
  for (;;) {
    const e = await reader.next(() => {});
    if (!e) break;
    const parts: Buffer[] = [];
    await reader.source.pipe(e.header.size, (c) => parts.push(Buffer.from(c)));
    await reader.source.read((512 - (e.header.size % 512)) % 512);
    const xattrs: Record<string, string> = {};
    for (const [k, v] of e.pax) if (k.startsWith("SCHILY.xattr.")) xattrs[k.slice(13)] = v.toString("hex");
    const h = e.header;
    out.push({
      name: h.name,
      type: h.type,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: h.size,
      mtime: h.mtime,
      linkname: h.linkname,
      dev: `${h.devmajor}:${h.devminor}`,
      xattrs,
      body: Buffer.concat(parts),
    });
  }
  return out;
}

/** An upper directory as overlayfs leaves it, with every kind of entry. */
async function buildUpper(): Promise<string> {
  const upper = join(tempDir(), "upper");
  mkdirSync(upper);
  const p = (rel: string) => join(upper, rel);
  writeFileSync(p("a.txt"), "hello\n");
  lchownSync(p("a.txt"), 1000, 1001);
  chmodSync(p("a.txt"), 0o4755); // after the chown, which clears setuid
  native().lsetxattr(p("a.txt"), "user.x", BIN);
  native().lsetxattr(p("a.txt"), "trusted.overlay.origin", Buffer.from([1, 2, 3]));
  mkdirSync(p("d"), { mode: 0o750 });
  chmodSync(p("d"), 0o750);
  linkSync(p("a.txt"), p("d/hl"));
  native().mknod(p("d/gone2"), S_IFCHR, 0, 0);
  native().mknod(p("gone"), S_IFCHR, 0, 0);
  lchownSync(p("gone"), 5, 6);
  symlinkSync("/etc/passwd", p("s"));
  mkdirSync(p("o"));
  native().lsetxattr(p("o"), "trusted.overlay.opaque", Buffer.from("y"));
  writeFileSync(p("o/new"), "new\n");
  mkdirSync(p("dev"));
  native().mknod(p("dev/null"), S_IFCHR | 0o666, 1, 3);
  native().mknod(p("dev/loop9"), S_IFBLK | 0o660, 7, 9);
  native().mknod(p("dev/fifo"), S_IFIFO | 0o600, 0, 0);
  chmodSync(p("dev/null"), 0o666); // mknod's mode went through the umask
  chmodSync(p("dev/loop9"), 0o660);
  mkdirSync(p("deep"));
  writeFileSync(p(LONG), "long\n");
  writeFileSync(p("ñandú.txt"), "utf8\n");
  writeFileSync(p("big.bin"), BIG);
  writeFileSync(p("bigid"), "");
  lchownSync(p("bigid"), 3_000_000, 3_000_001);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(p("sock"), resolve));
  server.close();
  for (const rel of ["a.txt", "d/hl", "o/new", "dev/null", "dev/loop9", "dev/fifo", "big.bin", "bigid", LONG])
    lutimesSync(p(rel), T, T);
  lutimesSync(p("gone"), T + 1, T + 1);
  lutimesSync(p("s"), T + 2, T + 2);
  for (const rel of ["d", "o", "dev", "deep"]) lutimesSync(p(rel), T + 3, T + 3);
  return upper;
}

test("an upper dir streams as an OCI layer: whiteouts, opaque dirs, links, devices, xattrs", async () => {
  const upper = await buildUpper();
  const { tar, maxChunk } = await collect(tarUpperDir(upper));
  assert.ok(maxChunk <= 1 << 20, `file data is streamed in chunks (largest ${maxChunk})`);
  const again = await collect(tarUpperDir(upper));
  assert.deepEqual(again.tar, tar, "the same upper gives the same bytes");
  const list = await entries(tar);
  assert.deepEqual(
    list.map((e) => `${e.type} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ""}`),
    [
      "0 a.txt",
      "0 big.bin",
      "0 bigid",
      "5 d/",
      "0 d/.wh.gone2",
      "1 d/hl -> a.txt",
      "5 deep/",
      `0 ${LONG}`,
      "5 dev/",
      "6 dev/fifo",
      "4 dev/loop9",
      "3 dev/null",
      "0 .wh.gone",
      "5 o/",
      "0 o/.wh..wh..opq",
      "0 o/new",
      "2 s -> /etc/passwd",
      "0 ñandú.txt",
    ],
    "sorted by the upper's names (a whiteout where its name sorts), parents first, no socket, no root",
  );
  const by = new Map(list.map((e) => [e.name, e]));
  const a = by.get("a.txt");
  assert.equal(a?.mode, 0o4755);
  assert.equal(a?.uid, 1000);
  assert.equal(a?.gid, 1001);
  assert.equal(a?.mtime, T);
  assert.equal(a?.body.toString(), "hello\n");
  assert.deepEqual(a?.xattrs, { "user.x": BIN.toString("hex") }, "binary xattr exact, overlay's own dropped");
  const wh = by.get(".wh.gone");
  assert.deepEqual([wh?.mode, wh?.uid, wh?.gid, wh?.size, wh?.mtime], [0o600, 5, 6, 0, T + 1]);
  const opq = by.get("o/.wh..wh..opq");
  assert.deepEqual([opq?.mode, opq?.size], [0o755, 0]);
  assert.deepEqual(by.get("o/")?.xattrs, {}, "trusted.overlay.opaque is not carried as an xattr");
  assert.equal(by.get("d/")?.mode, 0o750);
  assert.equal(by.get("d/")?.mtime, T + 3);
  assert.equal(by.get("d/hl")?.size, 0);
  assert.equal(by.get("dev/null")?.dev, "1:3");
  assert.equal(by.get("dev/null")?.mode, 0o666);
  assert.equal(by.get("dev/loop9")?.dev, "7:9");
  assert.equal(by.get(LONG)?.body.toString(), "long\n");
  assert.equal(by.get("ñandú.txt")?.body.toString(), "utf8\n");
  assert.deepEqual(by.get("big.bin")?.body, BIG);
  assert.deepEqual([by.get("bigid")?.uid, by.get("bigid")?.gid], [3_000_000, 3_000_001]);

  // Applied back, the layer is the upper again (overlay form).
  const base = tempDir();
  mkdirSync(join(base, "diff"));
  const applied = await applyLayer(Readable.from([tar]), join(base, "diff"), {
    compression: "none",
    tarSplitPath: join(base, "tar-split.gz"),
  });
  assert.equal(applied.diffId, sha256Digest(tar));
  const q = (rel: string) => join(base, "diff", rel);
  for (const rel of ["gone", "d/gone2"]) {
    const st = lstatSync(q(rel));
    assert.ok(st.isCharacterDevice() && st.rdev === 0, `${rel} is a whiteout again`);
  }
  assert.equal(native().lgetxattr(q("o"), "trusted.overlay.opaque")?.toString(), "y");
  assert.deepEqual(native().lgetxattr(q("a.txt"), "user.x"), BIN);
  assert.equal(native().lgetxattr(q("a.txt"), "trusted.overlay.origin"), null);
  assert.equal(lstatSync(q("a.txt")).ino, lstatSync(q("d/hl")).ino);
  assert.equal(readlinkSync(q("s")), "/etc/passwd");
  assert.deepEqual(readFileSync(q("big.bin")), BIG);
});

test("GNU tar reads the layer", async () => {
  const upper = await buildUpper();
  const file = join(tempDir(), "layer.tar");
  writeFileSync(file, (await collect(tarUpperDir(upper))).tar);
  const listing = execFileSync("tar", ["--xattrs", "--xattrs-include=*", "-tvf", file], { encoding: "utf8" });
  assert.match(listing, /^-rwsr-xr-x\* 1000\/1001 +6 2023-11-1[45] \d\d:\d\d a\.txt$/m);
  assert.match(listing, /^hrwsr-xr-x\* 1000\/1001 +0 .* d\/hl link to a\.txt$/m);
  assert.match(listing, /^lrwxrwxrwx +0\/0 +0 .* s -> \/etc\/passwd$/m);
  assert.match(listing, /^crw-rw-rw- +0\/0 +1,3 .* dev\/null$/m);
  assert.match(listing, /^brw-rw---- +0\/0 +7,9 .* dev\/loop9$/m);
  assert.match(listing, / o\/\.wh\.\.wh\.\.opq$/m);
  assert.match(listing, new RegExp(` ${LONG}$`, "m"));
  assert.match(listing, / 3000000\/3000001 .* bigid$/m);
  const out = join(tempDir(), "x");
  mkdirSync(out);
  execFileSync("tar", ["--xattrs", "--xattrs-include=*", "-xpf", file, "-C", out]);
  assert.equal(readFileSync(join(out, LONG), "utf8"), "long\n");
  assert.deepEqual(native().lgetxattr(join(out, "a.txt"), "user.x"), BIN);
});

test("an empty upper is the empty tar (Docker's empty-layer diff ID)", async () => {
  const upper = join(tempDir(), "empty");
  mkdirSync(upper);
  const { tar } = await collect(tarUpperDir(upper));
  assert.deepEqual(tar, Buffer.alloc(1024));
  assert.equal(sha256Digest(tar), "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
});

test("what a plain tar cannot carry is refused, not silently changed", async () => {
  const upper = join(tempDir(), "upper");
  mkdirSync(upper);
  writeFileSync(Buffer.concat([Buffer.from(`${upper}/bad`), Buffer.from([0xff])]), "x");
  await assert.rejects(collect(tarUpperDir(upper)), { code: "UNSAFE_PATH", message: /not valid UTF-8/ });
  const meta = join(tempDir(), "upper");
  mkdirSync(meta);
  writeFileSync(join(meta, "f"), "");
  native().lsetxattr(join(meta, "f"), "trusted.overlay.metacopy", Buffer.alloc(0));
  await assert.rejects(collect(tarUpperDir(meta)), {
    code: "INTERNAL",
    message: /trusted\.overlay\.metacopy/,
  });
});
