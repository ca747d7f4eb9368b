/**
 * A registry that misbehaves in the middle of a blob (node:http double): the
 * pull ends with one line and exit 1, never a Node stack trace, and nothing
 * is left in the store.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { MediaType } from "../../src/oci/index.ts";
import { json, startDouble } from "../registry/double.ts";
import { strata } from "../support/cli.ts";
import { oneLayerImage } from "../support/one-layer-image.ts";
import { tempDir } from "../support/tmp.ts";

/** A one-layer image; `big` makes its blob 1 MiB (many inflates), the other is a few KB (one). */
function image(big: boolean) {
  return oneLayerImage("big.bin", big ? randomBytes(1 << 20) : Buffer.alloc(4 << 20, 7));
}

type BlobMode = (res: ServerResponse) => void;

async function pullFrom(img: ReturnType<typeof image>, serveBlob: BlobMode) {
  const { blob, config, manifest } = img;
  const registry = await startDouble((req, res) => {
    const url = req.url ?? "";
    if (url === "/v2/") return json(res, 200, {});
    if (url.startsWith("/v2/x/manifests/")) {
      res.writeHead(200, {
        "content-type": MediaType.OciManifest,
        "content-length": String(manifest.length),
      });
      return res.end(manifest);
    }
    if (url === `/v2/x/blobs/${sha256Digest(config)}`) {
      res.writeHead(200, { "content-length": String(config.length) });
      return res.end(config);
    }
    if (url === `/v2/x/blobs/${sha256Digest(blob)}`) return serveBlob(res);
    json(res, 404, { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown", detail: null }] });
  });
  const root = tempDir();
  try {
    const r = await strata(root, ["pull", `${registry.host}/x:1`], { timeoutMs: 60_000 });
    const images = await strata(root, ["images", "-q"]);
    return { ...r, images: images.stdout };
  } finally {
    await registry.close();
  }
}

function oneLine(r: { code: number; stderr: string }): string {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !/^[0-9a-f]{12}: |^x:|^1: |Pulling/.test(l));
  assert.equal(lines.length, 1, `one error line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal|Unhandled|uncaught/i);
  return lines[0];
}

for (const big of [false, true]) {
  test(`a registry that closes the connection halfway through a blob: one line, exit 1 (${big ? "a 1 MiB blob" : "a small blob"})`, async () => {
    const img = image(big);
    const r = await pullFrom(img, (res) => {
      res.writeHead(200, { "content-length": String(img.blob.length) });
      res.write(img.blob.subarray(0, img.blob.length >> 1), () => res.socket?.destroy());
    });
    const line = oneLine(r);
    assert.match(line, /^Error|unexpected EOF|EOF/);
    assert.equal(r.images, "");
  });
}

test("a blob that runs on past the manifest's size is refused as soon as it does", async () => {
  let sent = 0;
  const img = image(true);
  const r = await pullFrom(img, (res) => {
    res.writeHead(200, {});
    res.write(img.blob);
    const zeros = Buffer.alloc(65536);
    const more = () => {
      // Without end: only a cap on the size ends this pull.
      while (sent < 1 << 30 && res.write(zeros)) sent += 65536;
      if (sent < 1 << 30) res.once("drain", more);
    };
    res.on("close", () => {
      sent = 1 << 30;
    });
    more();
  });
  const line = oneLine(r);
  assert.match(line, /size/i);
  assert.equal(r.images, "");
});
