/**
 * Behaviour a real registry will not show on demand, against node:http
 * doubles: redirects to another origin (Authorization must not follow),
 * retries only for temporary failures, tampered bytes, odd token servers.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { isStrataError, RegistryError } from "../../src/errors.ts";
import { MediaType } from "../../src/oci/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { tempDir } from "../support/tmp.ts";
import { type Double, errcode, json, startDouble } from "./double.ts";

const dir = tempDir();
const noConfig = join(dir, "none.json");
const fast = (extra: ConstructorParameters<typeof RegistryClient>[0] = {}) =>
  new RegistryClient({ dockerConfigPath: noConfig, retryDelayMs: 5, ...extra });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const config = Buffer.from(
  JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
);
const configDigest = sha256Digest(config);
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
    layers: [],
  }),
);
const manifestDigest = sha256Digest(manifest);

async function withDoubles<T>(doubles: Double[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    for (const d of doubles) await d.close();
  }
}

test("a blob redirect to another origin drops Authorization; the registry itself gets the token", async () => {
  const blob = Buffer.from("layer bytes ".repeat(1000));
  const digest = sha256Digest(blob);
  const storage = await startDouble((_req, res) => {
    res.writeHead(200, { "content-length": String(blob.length) });
    res.end(blob);
  });
  const registry = await startDouble((req, res) => {
    const url = req.url ?? "";
    if (url.startsWith("/token")) return json(res, 200, { access_token: "tok-123", expires_in: 300 });
    if (req.headers.authorization !== "Bearer tok-123") {
      return errcode(res, 401, "UNAUTHORIZED", "authentication required", {
        "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="double"`,
      });
    }
    if (url === `/v2/x/blobs/${digest}`) {
      res.writeHead(307, { location: `${storage.origin}/bucket/${digest.slice(7)}?X-Amz-Signature=secret` });
      return res.end();
    }
    errcode(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
  });
  await withDoubles([registry, storage], async () => {
    const client = fast();
    const { stream, size } = await client.openBlob(`${registry.host}/x`, { digest, size: blob.length });
    assert.equal(size, blob.length);
    assert.ok((await readAll(stream)).equals(blob));
    const blobReq = registry.requests.find((r) => r.path.startsWith("/v2/x/blobs/"))!;
    assert.equal(
      blobReq.headers.authorization,
      "Bearer tok-123",
      "the registry gets the token (access_token form)",
    );
    assert.equal(storage.requests.length, 1);
    assert.equal(storage.requests[0].headers.authorization, undefined, "storage never sees it");
    const token = registry.requests.find((r) => r.path.startsWith("/token"))!;
    assert.equal(token.path, "/token?service=double&scope=repository%3Ax%3Apull");
  });
});

test("503 twice, then success: retried inside the transport", async () => {
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    if (registry.count("/v2/x/manifests/") <= 2) {
      res.writeHead(503);
      return res.end("busy");
    }
    res.writeHead(200, { "content-type": MediaType.OciManifest });
    res.end(manifest);
  });
  await withDoubles([registry], async () => {
    const m = await fast().getManifest(`${registry.host}/x:1`);
    assert.equal(m.digest, manifestDigest);
    assert.equal(registry.count("/v2/x/manifests/"), 3);
  });
});

test("a 429 with Retry-After is retried; a reset connection is retried", async () => {
  let reset = true;
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    if (registry.count("/v2/x/manifests/") === 1) {
      return errcode(res, 429, "TOOMANYREQUESTS", "slow down", { "retry-after": "0" });
    }
    if (reset) {
      reset = false;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "content-type": MediaType.OciManifest });
    res.end(manifest);
  });
  await withDoubles([registry], async () => {
    const m = await fast().getManifest(`${registry.host}/x:1`);
    assert.equal(m.digest, manifestDigest);
    assert.equal(registry.count("/v2/x/manifests/"), 3);
  });
});

test("a 503 that lasts: maxAttempts tries, then Docker's unexpected-status error, marked temporary", async () => {
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(503);
    res.end();
  });
  await withDoubles([registry], async () => {
    await assert.rejects(fast({ maxAttempts: 3 }).getManifest(`${registry.host}/x:1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "REGISTRY_ERROR");
      assert.equal(e.message, "received unexpected HTTP status: 503 Service Unavailable");
      assert.equal(e.temporary, true);
      assert.equal(e.status, 503);
      return true;
    });
    assert.equal(registry.count("/v2/x/manifests/"), 3);
  });
});

test("404 and 401 are never retried", async () => {
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    if (req.url?.startsWith("/v2/gone/"))
      return errcode(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
    if (req.url?.startsWith("/v2/x/")) return errcode(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
    errcode(res, 401, "UNAUTHORIZED", "authentication required");
  });
  await withDoubles([registry], async () => {
    const client = fast();
    await assert.rejects(client.getManifest(`${registry.host}/x:1`), (e) =>
      isStrataError(e, "MANIFEST_UNKNOWN"),
    );
    assert.equal(registry.count("/v2/x/"), 1);
    await assert.rejects(client.getManifest(`${registry.host}/gone:1`), {
      message: `repository ${registry.host}/gone not found: name unknown: repository name not known to registry`,
    });
    assert.equal(registry.count("/v2/gone/"), 1);
    await assert.rejects(client.getManifest(`${registry.host}/private:1`), (e) =>
      isStrataError(e, "UNAUTHORIZED"),
    );
    assert.equal(registry.count("/v2/private/"), 1);
  });
});

test("tampered bytes: a manifest by digest and a config fail verification, without retries", async () => {
  const tamperedConfig = Buffer.from(config.toString().replace("amd64", "arm64"));
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    if (req.url === `/v2/x/manifests/${manifestDigest}`) {
      res.writeHead(200, { "content-type": MediaType.OciManifest });
      return res.end(Buffer.concat([manifest, Buffer.from(" ")]));
    }
    if (req.url === "/v2/x/manifests/good") {
      res.writeHead(200, { "content-type": MediaType.OciManifest });
      return res.end(manifest);
    }
    if (req.url === `/v2/x/blobs/${configDigest}`) {
      res.writeHead(200, { "content-length": String(tamperedConfig.length) });
      return res.end(tamperedConfig);
    }
    errcode(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
  });
  await withDoubles([registry], async () => {
    const client = fast();
    await assert.rejects(client.getManifest(`${registry.host}/x@${manifestDigest}`), (e) => {
      assert.ok(isStrataError(e, "DIGEST_MISMATCH"));
      assert.equal(e.message, `manifest verification failed for digest ${manifestDigest}`);
      return true;
    });
    await assert.rejects(client.resolveImage(`${registry.host}/x:good`), (e) => {
      assert.ok(isStrataError(e, "DIGEST_MISMATCH"));
      assert.equal(e.message, `image config verification failed for digest ${configDigest}`);
      return true;
    });
    assert.equal(registry.count(`/v2/x/manifests/${manifestDigest}`), 1);
    assert.equal(registry.count(`/v2/x/blobs/${configDigest}`), 1);
  });
});

test("a server that ignores Range: the client skips to the offset itself", async () => {
  const blob = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const digest = sha256Digest(blob);
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(200, { "content-length": String(blob.length) });
    res.end(blob);
  });
  await withDoubles([registry], async () => {
    const { stream, size } = await fast().openBlob(`${registry.host}/x`, { digest }, { offset: 1234 });
    assert.equal(size, blob.length);
    assert.ok((await readAll(stream)).equals(blob.subarray(1234)));
    assert.equal(registry.requests.at(-1)!.headers.range, "bytes=1234-");
  });
});

test("a cached token the registry refuses is replaced once; insufficient_scope is Docker's denial", async () => {
  let generation = 0;
  const registry = await startDouble((req, res) => {
    const url = req.url ?? "";
    const challenge = (extra = "") => ({
      "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="double"${extra}`,
    });
    if (url.startsWith("/token")) return json(res, 200, { token: `tok-${++generation}`, expires_in: 3600 });
    if (url.startsWith("/v2/secret/")) {
      return errcode(
        res,
        401,
        "UNAUTHORIZED",
        "authentication required",
        challenge(',scope="repository:secret:pull",error="insufficient_scope"'),
      );
    }
    if (req.headers.authorization !== `Bearer tok-${generation}` || generation === 0) {
      return errcode(
        res,
        401,
        "UNAUTHORIZED",
        "authentication required",
        challenge(',error="invalid_token"'),
      );
    }
    res.writeHead(200, { "content-type": MediaType.OciManifest });
    res.end(manifest);
  });
  await withDoubles([registry], async () => {
    const client = fast();
    await client.getManifest(`${registry.host}/x:1`);
    assert.equal(generation, 1);
    generation++; // the server "revokes" tok-1: the next request with it is refused
    const again = await client.getManifest(`${registry.host}/x:1`);
    assert.equal(again.digest, manifestDigest);
    assert.equal(generation, 3, "one fresh token after the refusal");
    await assert.rejects(client.getManifest(`${registry.host}/secret:1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "DENIED");
      assert.equal(
        e.message,
        `pull access denied for ${registry.host}/secret, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
      return true;
    });
    assert.equal(
      registry.count("/v2/secret/"),
      1,
      "a freshly issued token that lacks the scope is not retried",
    );
  });
});

test("an identity token in config.json is exchanged with a POST (OAuth refresh grant)", async () => {
  const registry = await startDouble(async (req, res) => {
    if (req.url === "/token" && req.method === "POST") {
      let body = "";
      for await (const c of req) body += c;
      const form = new URLSearchParams(body);
      if (form.get("grant_type") === "refresh_token" && form.get("refresh_token") === "idtok") {
        return json(res, 200, { access_token: `scoped:${form.get("scope")}` });
      }
      return json(res, 401, { details: "bad refresh token" });
    }
    if (req.headers.authorization !== "Bearer scoped:repository:x:pull") {
      return errcode(res, 401, "UNAUTHORIZED", "authentication required", {
        "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="double"`,
      });
    }
    res.writeHead(200, { "content-type": MediaType.OciManifest });
    res.end(manifest);
  });
  await withDoubles([registry], async () => {
    const cfg = join(dir, "identity.json");
    writeFileSync(cfg, JSON.stringify({ auths: { [registry.host]: { identitytoken: "idtok" } } }));
    const m = await fast({ dockerConfigPath: cfg }).getManifest(`${registry.host}/x:1`);
    assert.equal(m.digest, manifestDigest);
  });
});

test("an endpoint that asks for auth the ping did not: the challenge is learned and answered", async () => {
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    if (req.url?.startsWith("/token")) return json(res, 200, { token: "late" });
    if (req.headers.authorization !== "Bearer late") {
      return errcode(res, 401, "UNAUTHORIZED", "authentication required", {
        "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="double",scope="repository:x:pull"`,
      });
    }
    res.writeHead(200, { "content-type": MediaType.OciManifest });
    res.end(manifest);
  });
  await withDoubles([registry], async () => {
    assert.equal((await fast().getManifest(`${registry.host}/x:1`)).digest, manifestDigest);
  });
});

test("pushManifest refuses bytes that do not match a digest reference; uploads follow relative locations", async () => {
  const blob = Buffer.from("blob");
  const digest = sha256Digest(blob);
  const registry = await startDouble(async (req, res) => {
    for await (const _ of req) {
      // drain
    }
    if (req.url === "/v2/") return json(res, 200, {});
    if (req.method === "HEAD") {
      res.writeHead(404);
      return res.end();
    }
    if (req.method === "POST") {
      res.writeHead(202, { location: "/upload/abc?_state=s1" });
      return res.end();
    }
    if (req.method === "PUT" && req.url === `/upload/abc?_state=s1&digest=${encodeURIComponent(digest)}`) {
      res.writeHead(201, { "docker-content-digest": digest });
      return res.end();
    }
    res.writeHead(400);
    res.end();
  });
  await withDoubles([registry], async () => {
    const client = fast();
    assert.equal((await client.pushBlob(`${registry.host}/x`, digest, blob, blob.length)).status, "uploaded");
    await assert.rejects(
      client.pushManifest(`${registry.host}/x@${configDigest}`, manifest, MediaType.OciManifest),
      (e) => isStrataError(e, "DIGEST_MISMATCH"),
    );
  });
});
