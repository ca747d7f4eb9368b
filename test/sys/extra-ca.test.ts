/**
 * The deferred NODE_EXTRA_CA_CERTS (src/sys/extra-ca.ts): the registry's HTTPS
 * agent trusts what it names, and programs strata runs for the user get the
 * variable back as the user set it.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { NodeHttpSender } from "../../src/registry/http-send.ts";
import { DEFERRED_EXTRA_CA, userEnv } from "../../src/sys/extra-ca.ts";
import { makeCertificates } from "../support/tls.ts";
import { tempDir } from "../support/tmp.ts";

const dir = tempDir();
let server: Server;
let origin: string;
let caPath: string;

before(async () => {
  const certs = makeCertificates(dir);
  caPath = certs.caPath;
  server = createServer({ key: certs.key, cert: certs.cert }, (_req, res) => {
    res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" });
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // As the launcher line leaves this process: the variable moved, Node's store without it.
  delete process.env.NODE_EXTRA_CA_CERTS;
  process.env[DEFERRED_EXTRA_CA] = caPath;
});
after(() => server?.close());

test("the registry's HTTPS agent trusts the deferred certificates", async () => {
  const sender = new NodeHttpSender();
  try {
    const res = await sender.send({ url: new URL(`${origin}/v2/`), method: "GET", headers: {} });
    assert.equal(res.status, 200);
    await res.body.dump();
  } finally {
    await sender.close();
  }
});

test("a program run for the user gets NODE_EXTRA_CA_CERTS back", () => {
  assert.deepEqual(userEnv({ PATH: "/bin", [DEFERRED_EXTRA_CA]: "/ca.pem" }), {
    PATH: "/bin",
    NODE_EXTRA_CA_CERTS: "/ca.pem",
  });
  // None was set: the launcher's empty hand-over is dropped.
  assert.deepEqual(userEnv({ PATH: "/bin", [DEFERRED_EXTRA_CA]: "" }), { PATH: "/bin" });
  // Started without the launcher: Node's own variable stays as it is.
  const direct = { PATH: "/bin", NODE_EXTRA_CA_CERTS: "/mine.pem" };
  assert.equal(userEnv(direct), direct);
});
