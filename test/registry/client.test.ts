/**
 * The client against a real registry (Debian's docker-registry 2.8, no
 * auth) holding the fixture images: manifests by tag and digest, index
 * resolution per platform, verified configs, streamed blobs with resume,
 * pushes, and Docker's wording for what is missing or unreachable.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { extract } from "tar-stream";
import { type Digest, sha256Digest } from "../../src/digest/index.ts";
import { isStrataError, RegistryError } from "../../src/errors.ts";
import { hostPlatform, MediaType, parsePlatform } from "../../src/oci/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import {
  type PushedImage,
  type PushedIndex,
  pushMultiPlatform,
  pushServidorweb,
  SERVIDORWEB_CMD,
  SERVIDORWEB_INDEX,
} from "../support/fixtures.ts";
import { startRegistry, type TestRegistry } from "../support/registry.ts";

let registry: TestRegistry;
let client: RegistryClient;
let web: { v1: PushedImage; v2: PushedImage };
let multi: PushedIndex;

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ dockerConfigPath: "/nonexistent/config.json" });
  web = await pushServidorweb(client, registry.host);
  multi = await pushMultiPlatform(client, `${registry.host}/multi:latest`);
});
after(async () => {
  await client?.close();
  await registry?.stop();
});

const name = (s: string) => `${registry.host}/${s}`;

async function readAllBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function tarEntries(
  tar: Buffer,
): Promise<Array<{ name: string; type: string; size: number; body: string }>> {
  const out: Array<{ name: string; type: string; size: number; body: string }> = [];
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const body = await readAllBytes(entry as unknown as Readable);
      out.push({
        name: entry.header.name,
        type: entry.header.type ?? "",
        size: entry.header.size ?? 0,
        body: body.toString(),
      });
    }
  })();
  Readable.from([tar]).pipe(ex);
  await done;
  return out;
}

test("manifest by tag: bytes as pushed, digest = sha256 of the bytes, media type from the registry", async () => {
  const m = await client.getManifest(name("servidorweb:v1"));
  assert.equal(m.digest, web.v1.manifestDigest);
  assert.equal(m.digest, sha256Digest(m.bytes));
  assert.ok(m.bytes.equals(web.v1.manifest));
  assert.equal(m.mediaType, MediaType.DockerManifest);
});

test("manifest by digest is verified and equal", async () => {
  const m = await client.getManifest(name(`servidorweb@${web.v2.manifestDigest}`));
  assert.equal(m.digest, web.v2.manifestDigest);
  // tag and digest together: the digest decides, as Docker's ParseDockerRef does.
  const both = await client.getManifest(name(`servidorweb:v1@${web.v2.manifestDigest}`));
  assert.equal(both.digest, web.v2.manifestDigest);
});

test("resolveImage on a single manifest: the manifest is the top, the config is verified", async () => {
  const r = await client.resolveImage(name("servidorweb:v1"));
  assert.equal(r.topDigest, web.v1.manifestDigest);
  assert.equal(r.topMediaType, MediaType.DockerManifest);
  assert.equal(r.manifest.digest, web.v1.manifestDigest);
  assert.deepEqual(
    r.manifest.parsed.layers.map((l) => l.digest),
    web.v1.layerDigests,
  );
  assert.equal(r.config.digest, web.v1.configDigest);
  assert.ok(r.config.bytes.equals(web.v1.config));
});

test("resolveImage through an index: the host platform by default, or the one asked for", async () => {
  const byPlatform = new Map(
    multi.manifests.map((m) => [`${m.platform.architecture}${m.platform.variant ?? ""}`, m]),
  );
  const host = hostPlatform();
  const hostEntry = byPlatform.get(`${host.architecture}${host.variant ?? ""}`);
  if (hostEntry) {
    const r = await client.resolveImage(name("multi"));
    assert.equal(r.topDigest, multi.indexDigest);
    assert.equal(r.topMediaType, MediaType.OciIndex);
    assert.equal(r.manifest.digest, hostEntry.manifestDigest);
  }
  for (const [spec, key] of [
    ["linux/arm64/v8", "arm64v8"],
    ["linux/arm64", "arm64v8"],
    ["linux/aarch64", "arm64v8"],
    ["linux/arm/v7", "armv7"],
    ["linux/arm", "armv7"],
    ["linux/amd64", "amd64"],
    ["linux/x86_64", "amd64"],
  ] as const) {
    const r = await client.resolveImage(name("multi:latest"), { platform: parsePlatform(spec) });
    const want = byPlatform.get(key)!;
    assert.equal(r.topDigest, multi.indexDigest, spec);
    assert.equal(r.manifest.digest, want.manifestDigest, spec);
    assert.equal(r.manifest.mediaType, MediaType.OciManifest);
    assert.equal(r.config.digest, want.configDigest, spec);
    assert.equal(JSON.parse(r.config.bytes.toString()).architecture, want.platform.architecture);
  }
});

test("no entry for the platform: Docker's message", async () => {
  for (const spec of ["linux/arm/v6", "linux/s390x", "windows/amd64"]) {
    await assert.rejects(
      client.resolveImage(name("multi"), { platform: parsePlatform(spec) }),
      (e) =>
        isStrataError(e, "NO_MATCHING_PLATFORM") &&
        e.message === `no matching manifest for ${spec} in the manifest list entries`,
    );
  }
});

test("the multi-platform layers are gzip, zstd and plain tar, as their media types say", async () => {
  const magic = { gzip: "1f8b", zstd: "28b52ffd" };
  for (const m of multi.manifests) {
    const resolved = await client.resolveImage(name("multi"), { platform: m.platform });
    const layer = resolved.manifest.parsed.layers[0];
    const { stream } = await client.openBlob(name("multi"), layer);
    const blob = await readAllBytes(stream);
    assert.equal(sha256Digest(blob), layer.digest);
    if (m.compression === "none") {
      assert.equal(layer.mediaType, MediaType.OciLayer);
      const entries = await tarEntries(blob);
      assert.deepEqual(
        entries.map((e) => [e.name, e.body]),
        [["platform.txt", "linux/arm/v7\n"]],
      );
    } else {
      assert.equal(
        layer.mediaType,
        m.compression === "gzip" ? MediaType.OciLayerGzip : MediaType.OciLayerZstd,
      );
      assert.equal(
        blob.subarray(0, 4).toString("hex").slice(0, magic[m.compression].length),
        magic[m.compression],
      );
    }
  }
});

test("fetchBlob verifies the config; a wrong size is refused", async () => {
  const bytes = await client.fetchBlob(name("servidorweb"), {
    digest: web.v1.configDigest,
    size: web.v1.config.length,
  });
  assert.ok(bytes.equals(web.v1.config));
  await assert.rejects(
    client.fetchBlob(name("servidorweb"), { digest: web.v1.configDigest, size: web.v1.config.length - 1 }),
    (e) => isStrataError(e, "SIZE_MISMATCH"),
  );
  await assert.rejects(
    client.fetchBlob(name("servidorweb"), { digest: web.v1.configDigest, size: web.v1.config.length + 1 }),
    (e) => isStrataError(e, "SIZE_MISMATCH"),
  );
});

test("openBlob streams the layer; an offset resumes with a Range request", async () => {
  const digest = web.v1.layerDigests[0];
  const size = web.v1.layerSizes[0];
  const full = await client.openBlob(name("servidorweb"), { digest, size });
  assert.equal(full.size, size);
  const whole = await readAllBytes(full.stream);
  assert.equal(whole.length, size);
  assert.equal(sha256Digest(whole), digest);

  const offset = 100_000;
  const part = await client.openBlob(name("servidorweb"), { digest, size }, { offset });
  assert.equal(part.size, size, "size is the whole blob's");
  const rest = await readAllBytes(part.stream);
  assert.ok(rest.equals(whole.subarray(offset)));
  const hash = createHash("sha256").update(whole.subarray(0, offset)).update(rest);
  assert.equal(`sha256:${hash.digest("hex")}`, digest);

  const end = await client.openBlob(name("servidorweb"), { digest, size }, { offset: size });
  assert.equal((await readAllBytes(end.stream)).length, 0);
});

test("blobExists and an unknown blob", async () => {
  assert.equal(await client.blobExists(name("servidorweb"), web.v1.layerDigests[2]), true);
  const missing = sha256Digest("not pushed");
  assert.equal(await client.blobExists(name("servidorweb"), missing), false);
  await assert.rejects(
    client.openBlob(name("servidorweb"), { digest: missing }),
    (e) =>
      e instanceof RegistryError &&
      e.code === "BLOB_UNKNOWN" &&
      e.status === 404 &&
      e.message === "blob unknown: blob unknown to registry",
  );
});

test("MANIFEST_UNKNOWN in Docker's words, by tag and by digest", async () => {
  await assert.rejects(client.getManifest(name("servidorweb:nope")), (e) => {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.code, "MANIFEST_UNKNOWN");
    assert.equal(e.status, 404);
    assert.equal(
      e.message,
      `manifest for ${registry.host}/servidorweb:nope not found: manifest unknown: manifest unknown`,
    );
    assert.equal(e.diagnostics[0].code, "MANIFEST_UNKNOWN");
    assert.equal(e.temporary, false);
    return true;
  });
  const d = sha256Digest("nothing") as Digest;
  await assert.rejects(
    client.resolveImage(name(`servidorweb@${d}`)),
    (e) =>
      isStrataError(e, "MANIFEST_UNKNOWN") &&
      e.message.startsWith(`manifest for ${registry.host}/servidorweb@${d} not found: `),
  );
});

test("an unreachable registry reads like Docker's Go error", async () => {
  const c = new RegistryClient({ dockerConfigPath: "/nonexistent/config.json", maxAttempts: 1 });
  await assert.rejects(c.getManifest("127.0.0.1:1/x:y"), (e) => {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.code, "REGISTRY_UNREACHABLE");
    assert.equal(
      e.message,
      'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    return true;
  });
  await assert.rejects(c.getManifest("[::1]:1/x:y"), {
    message: 'Get "http://[::1]:1/v2/": dial tcp [::1]:1: connect: connection refused',
  });
  await assert.rejects(c.getManifest("nonexistent.invalid/x:y"), (e) => {
    assert.ok(isStrataError(e, "REGISTRY_UNREACHABLE"));
    assert.match(
      e.message,
      /^Get "https:\/\/nonexistent\.invalid\/v2\/": dial tcp: lookup nonexistent\.invalid/,
    );
    return true;
  });
  await c.close();
});

test("pushes: existing blobs are skipped, chunked uploads work, cross-repository mounts link", async () => {
  const data = Buffer.from("x".repeat(70_000) + "tail");
  const digest = sha256Digest(data);
  const first = await client.pushBlob(
    name("chunks"),
    digest,
    () => Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
    data.length,
    {
      chunkSize: 16_384,
    },
  );
  assert.equal(first.status, "uploaded");
  const { stream } = await client.openBlob(name("chunks"), { digest });
  assert.ok((await readAllBytes(stream)).equals(data));
  assert.equal((await client.pushBlob(name("chunks"), digest, data, data.length)).status, "exists");
  const mounted = await client.pushBlob(name("elsewhere"), digest, data, data.length, {
    mountFrom: name("chunks"),
  });
  assert.equal(mounted.status, "mounted");
  assert.equal(await client.blobExists(name("elsewhere"), digest), true);
  await assert.rejects(client.pushBlob(name("chunks"), digest, Buffer.from("other"), 5), (e) =>
    isStrataError(e, "DIGEST_MISMATCH"),
  );
});

test("servidorweb fixtures have the seed's shape", async () => {
  assert.deepEqual(
    web.v1.layerDigests.slice(0, 2),
    web.v2.layerDigests.slice(0, 2),
    "the two bottom layers are shared",
  );
  assert.notEqual(web.v1.layerDigests[2], web.v2.layerDigests[2]);
  for (const [version, image] of [
    ["v1", web.v1],
    ["v2", web.v2],
  ] as const) {
    const { stream } = await client.openBlob(name("servidorweb"), { digest: image.layerDigests[2] });
    const { gunzipSync } = await import("node:zlib");
    const entries = await tarEntries(gunzipSync(await readAllBytes(stream)));
    const files = entries.filter((e) => e.type === "file");
    assert.deepEqual(
      files.map((f) => [f.name, f.size]),
      [["var/www/html/index.html", version === "v1" ? 22 : 25]],
    );
    assert.equal(files[0].body, SERVIDORWEB_INDEX[version]);
    const config = JSON.parse(image.config.toString());
    assert.deepEqual(config.config.Cmd, SERVIDORWEB_CMD);
    assert.deepEqual(config.config.ExposedPorts, { "80/tcp": {} });
    assert.equal(config.history.length, 5);
    assert.deepEqual(
      config.history.map((h: { empty_layer?: boolean }) => Boolean(h.empty_layer)),
      [false, false, false, true, true],
    );
    assert.match(config.history[1].created_by, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/ $/);
    assert.equal(
      config.history[4].created_by,
      '/bin/sh -c #(nop)  CMD ["/bin/busybox" "httpd" "-f" "-v" "-p" "80" "-h" "/var/www/html"]',
    );
  }
  const { stream } = await client.openBlob(name("servidorweb"), { digest: web.v1.layerDigests[0] });
  const { gunzipSync } = await import("node:zlib");
  const base = await tarEntries(gunzipSync(await readAllBytes(stream)));
  const byName = new Map(base.map((e) => [e.name, e]));
  assert.equal(byName.get("bin/busybox")?.type, "file");
  assert.equal(byName.get("bin/sh")?.type, "symlink");
  assert.ok(byName.has("etc/passwd") && byName.has("etc/group") && byName.has("tmp/") && byName.has("root/"));
});
