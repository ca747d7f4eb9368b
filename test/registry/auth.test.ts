/**
 * Authentication against real registries: docker-registry with htpasswd
 * (Basic) and with token auth backed by the in-process JWT token server.
 * Credentials come from a temporary Docker config.json.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { RegistryError } from "../../src/errors.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { pushServidorweb } from "../support/fixtures.ts";
import { startRegistry, type TestRegistry, writeDockerConfig } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

const dir = tempDir();
let n = 0;
function configFor(host: string, username: string, password: string): string {
  const d = join(dir, `c${n++}`);
  mkdirSync(d);
  return writeDockerConfig(d, host, username, password);
}

describe("Basic auth (htpasswd)", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: "basic" });
  });
  after(() => reg?.stop());

  test("with credentials from config.json: push and pull", async () => {
    const client = new RegistryClient({
      dockerConfigPath: configFor(reg.host, reg.username!, reg.password!),
    });
    const { v1 } = await pushServidorweb(client, reg.host);
    const r = await client.resolveImage(`${reg.host}/servidorweb:v1`);
    assert.equal(r.topDigest, v1.manifestDigest);
    await client.close();
  });

  test("without credentials: Docker's `no basic auth credentials`", async () => {
    const client = new RegistryClient({ dockerConfigPath: join(dir, "missing.json") });
    await assert.rejects(client.getManifest(`${reg.host}/servidorweb:v1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "UNAUTHORIZED");
      assert.equal(
        e.message,
        `Get "http://${reg.host}/v2/servidorweb/manifests/v1": no basic auth credentials`,
      );
      return true;
    });
  });

  test("with a wrong password: 401 UNAUTHORIZED, not retried", async () => {
    const client = new RegistryClient({ dockerConfigPath: configFor(reg.host, reg.username!, "wrong") });
    await assert.rejects(client.getManifest(`${reg.host}/servidorweb:v1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "UNAUTHORIZED");
      assert.equal(e.status, 401);
      assert.equal(e.message, "unauthorized: authentication required");
      assert.equal(e.temporary, false);
      return true;
    });
  });

  test("config keys are matched by host name, as Docker does (`http://host/` works)", async () => {
    const d = join(dir, "byhost.json");
    const auth = Buffer.from(`${reg.username}:${reg.password}`).toString("base64");
    writeFileSync(d, JSON.stringify({ auths: { [`http://${reg.host}/v2/`]: { auth } } }));
    const client = new RegistryClient({ dockerConfigPath: d });
    assert.equal(
      (await client.getManifest(`${reg.host}/servidorweb:v2`)).mediaType.includes("manifest"),
      true,
    );
  });

  test("username/password fields, and DOCKER_CONFIG when no path is given", async () => {
    const cfgDir = join(dir, "dockerconfig");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(
      join(cfgDir, "config.json"),
      JSON.stringify({ auths: { [reg.host]: { username: reg.username, password: reg.password } } }),
    );
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = cfgDir;
    try {
      const client = new RegistryClient();
      await client.getManifest(`${reg.host}/servidorweb:v1`);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });

  test("a credential helper named in credHelpers", async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const helper = join(bin, "docker-credential-strata-test");
    writeFileSync(
      helper,
      `#!/bin/sh\nread host\n[ "$1" = get ] && [ "$host" = "${reg.host}" ] && printf '{"ServerURL":"%s","Username":"${reg.username}","Secret":"${reg.password}"}' "$host" && exit 0\necho "credentials not found in native keychain"; exit 1\n`,
    );
    chmodSync(helper, 0o755);
    const cfg = join(dir, "helper.json");
    writeFileSync(cfg, JSON.stringify({ credHelpers: { [reg.host]: "strata-test" } }));
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      const client = new RegistryClient({ dockerConfigPath: cfg });
      await client.getManifest(`${reg.host}/servidorweb:v1`);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe("Bearer tokens (docker-registry token auth)", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: "token" });
    const pusher = new RegistryClient({
      dockerConfigPath: configFor(reg.host, reg.username!, reg.password!),
    });
    await pushServidorweb(pusher, reg.host);
    await pusher.close();
  });
  after(() => reg?.stop());

  test("credentials get a token for the scope; it is cached and reused", async () => {
    const client = new RegistryClient({
      dockerConfigPath: configFor(reg.host, reg.username!, reg.password!),
    });
    const before = reg.tokensIssued();
    const r1 = await client.resolveImage(`${reg.host}/servidorweb:v1`);
    assert.equal(reg.tokensIssued(), before + 1, "one token for repository:servidorweb:pull");
    const r2 = await client.resolveImage(`${reg.host}/servidorweb:v2`);
    await client.fetchBlob(`${reg.host}/servidorweb:v1`, { digest: r1.config.digest });
    assert.equal(reg.tokensIssued(), before + 1, "the cached token served the later requests");
    assert.notEqual(r1.topDigest, r2.topDigest);
  });

  test("anonymous, when the token server grants nothing: Docker's pull access denied", async () => {
    const client = new RegistryClient({ dockerConfigPath: join(dir, "missing.json") });
    await assert.rejects(client.getManifest(`${reg.host}/servidorweb:v1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "DENIED");
      assert.equal(
        e.message,
        `pull access denied for ${reg.host}/servidorweb, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
      return true;
    });
  });

  test("a wrong password: the token server's words, against the registry URL", async () => {
    const client = new RegistryClient({ dockerConfigPath: configFor(reg.host, reg.username!, "wrong") });
    await assert.rejects(client.getManifest(`${reg.host}/servidorweb:v1`), (e) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.code, "UNAUTHORIZED");
      assert.equal(
        e.message,
        `Get "http://${reg.host}/v2/servidorweb/manifests/v1": unauthorized: incorrect username or password`,
      );
      return true;
    });
  });

  test("anonymous pulls, when the token server allows them", async () => {
    const open = await startRegistry({ auth: "token", anonymous: ["pull"] });
    try {
      const pusher = new RegistryClient({
        dockerConfigPath: configFor(open.host, open.username!, open.password!),
      });
      const { v1 } = await pushServidorweb(pusher, open.host);
      const anon = new RegistryClient({ dockerConfigPath: join(dir, "missing.json") });
      assert.equal((await anon.resolveImage(`${open.host}/servidorweb:v1`)).topDigest, v1.manifestDigest);
      // Pushing needs `push`, which anonymous users do not get.
      await assert.rejects(
        anon.pushManifest(`${open.host}/servidorweb:v3`, v1.manifest, v1.manifestMediaType),
        (e) =>
          e instanceof RegistryError &&
          e.code === "DENIED" &&
          e.message === "denied: requested access to the resource is denied",
      );
    } finally {
      await open.stop();
    }
  });
});
