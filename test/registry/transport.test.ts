/**
 * Transport behaviour that needs its own process environment: proxies from
 * HTTP_PROXY (undici's EnvHttpProxyAgent tunnels with CONNECT) and aborts
 * that cut a retry backoff short.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
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
