import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveEndpoint } from "../../src/registry/index.ts";

test("docker.io is served by registry-1.docker.io over HTTPS", () => {
  assert.deepEqual(resolveEndpoint("docker.io"), {
    host: "docker.io",
    origin: "https://registry-1.docker.io",
  });
});

test("loopback hosts speak plain HTTP, others verified HTTPS", () => {
  const origin = (h: string, insecure: string[] = []) => resolveEndpoint(h, insecure).origin;
  assert.equal(origin("127.0.0.1:5000"), "http://127.0.0.1:5000");
  assert.equal(origin("127.1.2.3"), "http://127.1.2.3");
  assert.equal(origin("localhost:5000"), "http://localhost:5000");
  assert.equal(origin("localhost"), "http://localhost");
  assert.equal(origin("[::1]:5000"), "http://[::1]:5000");
  assert.equal(origin("ghcr.io"), "https://ghcr.io");
  assert.equal(origin("10.1.2.3:5000"), "https://10.1.2.3:5000");
  assert.equal(origin("128.0.0.1"), "https://128.0.0.1");
});

test("insecure registries: by host:port, by host name, or by IPv4 CIDR", () => {
  const origin = (h: string, insecure: string[]) => resolveEndpoint(h, insecure).origin;
  assert.equal(origin("reg.lan:5000", ["reg.lan:5000"]), "http://reg.lan:5000");
  assert.equal(origin("reg.lan:5000", ["reg.lan"]), "http://reg.lan:5000");
  assert.equal(origin("reg.lan:5000", ["reg.lan:6000"]), "https://reg.lan:5000");
  assert.equal(origin("10.1.2.3:5000", ["10.0.0.0/8"]), "http://10.1.2.3:5000");
  assert.equal(origin("11.1.2.3:5000", ["10.0.0.0/8"]), "https://11.1.2.3:5000");
  assert.equal(origin("reg.lan", ["http://reg.lan/"]), "http://reg.lan");
});
