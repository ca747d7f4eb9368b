import assert from "node:assert/strict";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  containerLayer,
  containerMount,
  directorySize,
  mount,
  newLinkId,
  prepareContainerLayer,
  removeContainerLayer,
  unmount,
} from "../../src/snapshot/index.ts";
import { tempDir } from "../support/tmp.ts";

/** Makes `count` layers under root (layers/<n>/diff + l/<link>), each with one file; returns links bottom first. */
function makeLayers(root: string, count: number): string[] {
  const links: string[] = [];
  mkdirSync(join(root, "l"), { recursive: true });
  for (let i = 0; i < count; i++) {
    const diff = join(root, "layers", String(i), "diff");
    mkdirSync(diff, { recursive: true });
    writeFileSync(join(diff, `f${i}`), `layer ${i}\n`);
    writeFileSync(join(diff, "shared.txt"), `from ${i}\n`);
    const link = newLinkId();
    symlinkSync(`../layers/${i}/diff`, join(root, "l", link));
    links.push(link);
  }
  return links;
}

test("a container sees its layers merged, writes copy up, and the image layers never change", () => {
  const root = tempDir();
  const links = makeLayers(root, 2);
  const m = prepareContainerLayer(root, "c1", links);
  const layer = containerLayer(root, "c1");
  mount(m, layer.merged);
  try {
    assert.equal(readFileSync(join(layer.merged, "shared.txt"), "utf8"), "from 1\n", "upper layers win");
    assert.equal(readFileSync(join(layer.merged, "f0"), "utf8"), "layer 0\n");
    assert.equal(existsSync(join(layer.merged, "etc", "hosts")), true, "init layer provides mount points");
    assert.equal(directorySize(layer.upper), 0, "a fresh container has size 0");
    writeFileSync(join(layer.merged, "f0"), "changed!\n");
    writeFileSync(join(layer.merged, "new.txt"), "00000000000000000\n");
    rmSync(join(layer.merged, "f1"));
    assert.equal(
      readFileSync(join(root, "layers", "0", "diff", "f0"), "utf8"),
      "layer 0\n",
      "lower untouched",
    );
    assert.equal(existsSync(join(root, "layers", "1", "diff", "f1")), true);
    // f0 copied up (9 bytes) + new.txt (18 bytes); the whiteout for f1 counts 0.
    assert.equal(directorySize(layer.upper), 27);
    assert.equal(statSync(join(layer.upper, "f1")).isCharacterDevice(), true);
  } finally {
    unmount(layer.merged);
  }
});

test("128 layers still fit in one page of mount options", async () => {
  const root = tempDir();
  const links = makeLayers(root, 128);
  const m = prepareContainerLayer(root, "c128", links);
  const layer = containerLayer(root, "c128");
  mount(m, layer.merged);
  try {
    const names = readdirSync(layer.merged);
    assert.equal(names.filter((n) => /^f\d+$/.test(n)).length, 128);
  } finally {
    await removeContainerLayer(root, "c128");
  }
  assert.equal(existsSync(layer.dir), false);
});

test("a throwaway layer is mounted volatile, and mounts again after its unmount", async () => {
  const root = tempDir();
  const links = makeLayers(root, 1);
  prepareContainerLayer(root, "cv", links);
  const layer = containerLayer(root, "cv");
  const options = () =>
    readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .find((l) => l.split(" ")[4] === layer.merged);
  try {
    mount(containerMount(root, "cv", links, { volatile: true }), layer.merged);
    assert.match(options() ?? "", /volatile/);
    writeFileSync(join(layer.merged, "new.txt"), "x\n");
    unmount(layer.merged);
    // The kernel marks a work dir a volatile mount used, and refuses it until the mark goes.
    assert.equal(existsSync(join(layer.work, "work", "incompat", "volatile")), true);
    for (const volatile of [false, true]) {
      mount(containerMount(root, "cv", links, { volatile }), layer.merged);
      assert.equal(readFileSync(join(layer.merged, "new.txt"), "utf8"), "x\n");
      assert.equal(/volatile/.test(options() ?? ""), volatile);
      unmount(layer.merged);
    }
  } finally {
    await removeContainerLayer(root, "cv");
  }
});

test("directorySize counts hardlinks once and symlinks by target length", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "a"), "12345");
  symlinkSync("abc", join(dir, "link"));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "b"), "xy");
  linkSync(join(dir, "a"), join(dir, "sub", "hard"));
  assert.equal(directorySize(dir), 5 + 3 + 2);
});
