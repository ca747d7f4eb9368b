/**
 * A pull in flight holds a lease, not the GC lock: rmi and prune of other
 * images go ahead while its blob is still arriving (they used to wait for
 * the whole pull), spare what the pull has, and the pull then completes
 * into a consistent store.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { MediaType } from "../../src/oci/index.ts";
import { json, startDouble } from "../registry/double.ts";
import { strata } from "../support/cli.ts";
import { oneLayerImage } from "../support/one-layer-image.ts";
import { tempDir } from "../support/tmp.ts";

function image(name: string, size: number) {
  return oneLayerImage(`${name}.bin`, randomBytes(size));
}

test("rmi and prune do not wait for a pull in flight; the pull then completes and the store checks clean", async () => {
  const images = { a: image("a", 64 << 10), x: image("x", 2 << 20) };
  let halfSent!: () => void;
  const half = new Promise<void>((r) => {
    halfSent = r;
  });
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const registry = await startDouble(async (req, res) => {
    const url = req.url ?? "";
    if (url === "/v2/") return json(res, 200, {});
    for (const [name, img] of Object.entries(images)) {
      if (url.startsWith(`/v2/${name}/manifests/`)) {
        res.writeHead(200, {
          "content-type": MediaType.OciManifest,
          "content-length": String(img.manifest.length),
        });
        return res.end(img.manifest);
      }
      if (url === `/v2/${name}/blobs/${sha256Digest(img.config)}`) {
        res.writeHead(200, { "content-length": String(img.config.length) });
        return res.end(img.config);
      }
      if (url === `/v2/${name}/blobs/${sha256Digest(img.blob)}`) {
        res.writeHead(200, { "content-length": String(img.blob.length) });
        if (name === "a") return res.end(img.blob);
        // Half the blob, then nothing until the test says so: the pull is in flight meanwhile.
        const cut = img.blob.length >> 1;
        res.write(img.blob.subarray(0, cut), () => halfSent());
        await released;
        return res.end(img.blob.subarray(cut));
      }
    }
    json(res, 404, { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown", detail: null }] });
  });
  const root = tempDir();
  try {
    const a = `${registry.host}/a:1`;
    const x = `${registry.host}/x:1`;
    assert.equal((await strata(root, ["pull", "-q", a], { timeoutMs: 60_000 })).code, 0);
    const pulling = strata(root, ["pull", "-q", x], { timeoutMs: 120_000 });
    await half;
    // Both would have waited for the pull's end (SIGKILL at the timeout) while it held the GC lock.
    const rmi = await strata(root, ["rmi", a], { timeoutMs: 30_000 });
    assert.equal(rmi.code, 0, rmi.stderr);
    const prune = await strata(root, ["image", "prune", "-a", "-f"], { timeoutMs: 30_000 });
    assert.equal(prune.code, 0, prune.stderr);
    release();
    const pulled = await pulling;
    assert.equal(pulled.code, 0, pulled.stderr);
    const listed = await strata(root, ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert.equal(listed.stdout.trim(), x);
    const check = await strata(root, ["system", "check"]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const run = await strata(root, ["image", "inspect", x, "--format", "{{len .RootFS.Layers}}"]);
    assert.equal(run.stdout.trim(), "1");
  } finally {
    release();
    await registry.close();
  }
});
