/**
 * Transport behaviour that needs its own process environment: proxies from
 * HTTP_PROXY (undici's EnvHttpProxyAgent tunnels with CONNECT), aborts
 * that cut a retry backoff or a body short, connection reuse and bodies
 * cut off by the registry (Node's http, the path without a proxy).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { MediaType } from "../../src/oci/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { tempDir } from "../support/tmp.ts";
import { json, startDouble } from "./double.ts";

const noConfig = join(tempDir(), "none.json");

test("HTTP_PROXY is honoured: requests go through the proxy", async () => {
  const tunnels: string[] = [];
  const proxy = createServer((_req, res) => {
    res.writeHead(502);
    res.end();
  });
  proxy.on("connect", (req, socket, head) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(200, { "content-type": MediaType.OciIndex });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }));
  });
  const saved = {
    HTTP_PROXY: process.env.HTTP_PROXY,
    NO_PROXY: process.env.NO_PROXY,
    no_proxy: process.env.no_proxy,
  };
  process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  try {
    const client = new RegistryClient({ dockerConfigPath: noConfig });
    const m = await client.getManifest(`${registry.host}/x:1`);
    assert.equal(m.mediaType, MediaType.OciIndex);
    assert.ok(tunnels.includes(registry.host), `proxy saw ${tunnels.join(", ")}`);
    await client.close();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    proxy.closeAllConnections();
    proxy.close();
    await registry.close();
  }
});

test("an abort during a retry backoff rejects at once with the signal's reason", async () => {
  // Aborted once the first 503 has been answered, so the client is surely in its backoff (a fixed
  // timeout could fire before the first request on a loaded machine).
  const controller = new AbortController();
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(503);
    res.end();
    setTimeout(() => controller.abort(new DOMException("gave up", "TimeoutError")), 50);
  });
  try {
    const client = new RegistryClient({ dockerConfigPath: noConfig, retryDelayMs: 10_000, maxAttempts: 5 });
    const started = Date.now();
    await assert.rejects(
      client.getManifest(`${registry.host}/x:1`, { signal: controller.signal }),
      (e) => (e as Error).name === "TimeoutError",
    );
    assert.ok(Date.now() - started < 5000, "did not sit out the 10 s backoff");
    assert.equal(registry.count("/v2/x/"), 1);
  } finally {
    await registry.close();
  }
});

test("requests to one registry share a keep-alive connection", async () => {
  const ports = new Set<number>();
  const registry = await startDouble((req, res) => {
    ports.add(req.socket.remotePort ?? 0);
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(req.url?.endsWith("/missing") ? 404 : 200, { "content-length": "0" });
    res.end();
  });
  try {
    const client = new RegistryClient({ dockerConfigPath: noConfig });
    for (let i = 0; i < 4; i++) {
      await client.blobExists(`${registry.host}/x:1`, `sha256:${"a".repeat(64)}` as never);
      await client.blobExists(`${registry.host}/x:1`, "sha256:missing" as never).catch(() => false);
    }
    assert.equal(registry.requests.length, 9);
    assert.equal(ports.size, 1, `connections: ${[...ports].join(", ")}`);
    await client.close();
  } finally {
    await registry.close();
  }
});

test("a body the registry cuts off fails its reader with Go's unexpected EOF; an abort with its reason", async () => {
  const blob = Buffer.alloc(256 * 1024, 7);
  const digest = sha256Digest(blob);
  const registry = await startDouble((req, res) => {
    if (req.url === "/v2/") return json(res, 200, {});
    res.writeHead(200, { "content-length": String(blob.length) });
    // Half the blob, then: closed (/x/), or silence until the client gives up (/y/).
    res.write(blob.subarray(0, blob.length / 2), () => {
      if (req.url?.startsWith("/v2/x/")) res.socket?.destroy();
    });
  });
  try {
    const client = new RegistryClient({ dockerConfigPath: noConfig });
    const cut = await client.openBlob(`${registry.host}/x:1`, { digest, size: blob.length });
    await assert.rejects(
      (async () => {
        for await (const _ of cut.stream);
      })(),
      (e) =>
        /^Get "http:\/\/127\.0\.0\.1:\d+\/v2\/x\/blobs\/sha256:[0-9a-f]+": unexpected EOF$/.test(
          (e as Error).message,
        ),
    );
    const signal = AbortSignal.timeout(300);
    const stalled = await client.openBlob(`${registry.host}/y:1`, { digest, size: blob.length }, { signal });
    await assert.rejects(
      (async () => {
        for await (const _ of stalled.stream);
      })(),
      (e) => (e as Error).name === "TimeoutError",
    );
    await client.close();
  } finally {
    await registry.close();
  }
});
