/**
 * The upload side of the client against a real registry: a streamed upload
 * whose digest is computed on the way, a copy whose bytes do not match the
 * digest it claims (refused before the upload is closed, nothing stored),
 * and a mount of a blob the source lacks (the registry opens an upload
 * instead, which can be streamed into).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { isStrataError } from "../../src/errors.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startRegistry, type TestRegistry } from "../support/registry.ts";

let registry: TestRegistry;
let client: RegistryClient;

before(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ dockerConfigPath: "/nonexistent/config.json" });
});
after(async () => {
  await client?.close();
  await registry?.stop();
});

const chunks = (data: Buffer) => () => Readable.from([data.subarray(0, 1000), data.subarray(1000)]);

test("uploadStream: one PATCH of a stream, the digest computed while it goes", async () => {
  const data = randomBytes(300_000);
  const ref = `${registry.host}/up/one:latest`;
  let seen = 0;
  const { digest, size } = await client.uploadStream(ref, chunks(data), { onProgress: (n) => (seen = n) });
  assert.equal(digest, sha256Digest(data));
  assert.equal(size, data.length);
  assert.equal(seen, data.length);
  assert.equal(await client.blobExists(ref, digest), true);
});

test("a copy whose bytes do not hash to the expected digest is refused and not stored", async () => {
  const data = randomBytes(50_000);
  const claimed = sha256Digest(Buffer.from("something else"));
  const ref = `${registry.host}/up/bad:latest`;
  await assert.rejects(
    client.uploadStream(ref, chunks(data), { expectedDigest: claimed }),
    (err) => isStrataError(err) && err.code === "DIGEST_MISMATCH",
  );
  assert.equal(await client.blobExists(ref, sha256Digest(data)), false);
  assert.equal(await client.blobExists(ref, claimed), false);
});

test("mounting a blob the source repository lacks opens an upload the caller can use", async () => {
  const data = randomBytes(10_000);
  const digest = sha256Digest(data);
  const ref = `${registry.host}/up/mounted:latest`;
  const result = await client.mountBlob(ref, digest, `${registry.host}/up/nowhere:latest`);
  assert.equal(result.status, "started");
  if (result.status !== "started") return;
  const up = await client.uploadStream(ref, chunks(data), { location: result.location });
  assert.equal(up.digest, digest);
  const other = `${registry.host}/up/second:latest`;
  assert.deepEqual(await client.mountBlob(other, digest, ref), { status: "mounted" });
  assert.equal(await client.blobExists(other, digest), true);
});
