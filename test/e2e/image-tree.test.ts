/**
 * `image tree` over the seed story's images: v1 and v2 are one trunk of two
 * shared layers with two leaves (22B and 25B), a container hangs off its
 * image, and the HTML page renders in a real headless Chromium without errors,
 * showing every image and layer.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import type { ImageTree, TreeLayer } from "../../src/system/index.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
const root = tempDir();
let v1: string;
let v2: string;

before(async () => {
  registry = await startRegistry();
  await pushServidorweb(new RegistryClient(), registry.host);
  v1 = `${registry.host}/servidorweb:v1`;
  v2 = `${registry.host}/servidorweb:v2`;
  for (const args of [
    ["pull", "-q", v1],
    ["pull", "-q", v2],
    ["create", "--name", "web1", v1],
  ]) {
    const r = await strata(root, args);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(() => registry?.stop());

async function jsonTree(...names: string[]): Promise<ImageTree> {
  const r = await strata(root, ["image", "tree", "--format", "json", ...names]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ImageTree;
}

test("v1 and v2 share one trunk of two layers and end in 22B and 25B leaves", async () => {
  const tree = await jsonTree();
  assert.equal(tree.roots.length, 1);
  const base = tree.roots[0];
  assert.equal(base.images, 2);
  assert.equal(base.children.length, 1);
  const web = base.children[0];
  assert.equal(web.images, 2);
  const leaves = web.children.map((l: TreeLayer) => [l.size, l.images, l.tops.flatMap((i) => i.names)]);
  assert.deepEqual(
    leaves.sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [22, 1, ["127.0.0.1:" + registry.host.split(":")[1] + "/servidorweb:v1"]],
      [25, 1, ["127.0.0.1:" + registry.host.split(":")[1] + "/servidorweb:v2"]],
    ],
  );
  const v1Image = web.children.find((l) => l.size === 22)!.tops[0];
  assert.equal(v1Image.frees, 22, "removing v1 frees only its own layer");
  assert.equal(v1Image.size, base.size + web.size + 22);
  assert.deepEqual(
    v1Image.containers.map((c) => [c.name, c.state, c.sizeRw]),
    [["web1", "created", 0]],
  );
  assert.equal(tree.totalSize, base.size + web.size + 22 + 25, "bytes counted once");
  assert.equal(tree.virtualSize, 2 * (base.size + web.size) + 22 + 25);
});

test("naming an image shows only its path, but sharing still counts every image", async () => {
  const tree = await jsonTree(v2);
  const web = tree.roots[0].children[0];
  assert.equal(web.images, 2);
  assert.deepEqual(
    web.children.map((l) => l.size),
    [25],
  );
  const r = await strata(root, ["image", "tree", "nosuch:tag"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No such image: nosuch:tag/);
});

test("the text tree draws the trunk once and both leaves under it", async () => {
  const r = await strata(root, ["image", "tree"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^2 images, .* on disk \(.* if nothing were shared\)$/);
  assert.match(lines[1], /^[0-9a-f]{12} {2}\S+, shared by 2 images$/);
  assert.match(lines[2], /^└─ [0-9a-f]{12} {2}\S+, shared by 2 images$/);
  assert.equal(lines.filter((l) => /─ [0-9a-f]{12} {2}22B$/.test(l)).length, 1);
  assert.equal(lines.filter((l) => /─ [0-9a-f]{12} {2}25B$/.test(l)).length, 1);
  assert.ok(lines.some((l) => /servidorweb:v1 \([0-9a-f]{12}\) {2}\S+, removing it frees 22B$/.test(l)));
  assert.ok(lines.some((l) => /└─ container web1 \([0-9a-f]{12}\) created, 0B$/.test(l)));
  const bad = await strata(root, ["image", "tree", "--format", "yaml"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown format "yaml"/);
});

test("the HTML page loads in headless Chromium without errors and shows every image and layer", async (t) => {
  if (!existsSync("/usr/bin/chromium")) {
    t.skip("Debian's chromium is not installed (scripts/setup.sh installs it)");
    return;
  }
  const tree = await jsonTree();
  const r = await strata(root, ["image", "tree", "--format", "html"]);
  assert.equal(r.code, 0, r.stderr);
  const page = join(tempDir(), "tree.html");
  writeFileSync(page, r.stdout);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on("pageerror", (e) => problems.push(e.message));
    tab.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    tab.on("request", (req) => !req.url().startsWith("file:") && problems.push(`request ${req.url()}`));
    await tab.goto(`file://${page}`);
    assert.deepEqual(problems, []);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, as a person sees it
    const text = await tab.innerText("body");
    const layers: TreeLayer[] = [];
    const walk = (l: TreeLayer) => {
      layers.push(l);
      l.children.forEach(walk);
    };
    tree.roots.forEach(walk);
    assert.equal(layers.length, 4);
    for (const l of layers) {
      assert.ok(text.includes(l.diffId.slice(7, 19)), `layer ${l.diffId} shown`);
      assert.equal(await tab.locator(`[data-layer="${l.diffId}"]`).count(), 1);
    }
    assert.ok(text.includes(v1) && text.includes(v2), "both images shown");
    assert.ok(text.includes("22B") && text.includes("25B"));
    // The shared trunk is drawn as wide as both leaves together (an icicle chart).
    const box = async (sel: string) => (await tab.locator(sel).boundingBox())!;
    const trunk = await box(`[data-layer="${layers[0].diffId}"]`);
    const leafA = await box(`[data-layer="${layers[2].diffId}"]`);
    const leafB = await box(`[data-layer="${layers[3].diffId}"]`);
    assert.ok(trunk.width >= leafA.width + leafB.width, "trunk spans its leaves");
    assert.ok(trunk.y < leafA.y && trunk.y < leafB.y, "leaves below the trunk");
  } finally {
    await browser.close();
  }
});
