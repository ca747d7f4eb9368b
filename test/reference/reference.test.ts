/**
 * Tables from distribution/reference's own tests and the examples in
 * docker-storage-semantics.md §2: what parses, to what, and Docker's exact
 * error text for what does not.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isStrataError } from "../../src/errors.ts";
import {
  familiarName,
  familiarString,
  fullName,
  isDigestReference,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  withDigest,
  withTag,
} from "../../src/reference/index.ts";

const HEX = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
const DIGEST = `sha256:${HEX}`;

// input → [fullName, familiarName]
const names: Array<[string, string, string]> = [
  ["ubuntu", "docker.io/library/ubuntu", "ubuntu"],
  ["library/ubuntu", "docker.io/library/ubuntu", "ubuntu"],
  ["docker.io/ubuntu", "docker.io/library/ubuntu", "ubuntu"],
  ["index.docker.io/ubuntu", "docker.io/library/ubuntu", "ubuntu"],
  ["index.docker.io/library/debian", "docker.io/library/debian", "debian"],
  ["docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar"],
  ["fooo/bar", "docker.io/fooo/bar", "fooo/bar"],
  ["nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "nonlibrary/ubuntu"],
  ["other/library", "docker.io/other/library", "other/library"],
  ["myhost/foo", "docker.io/myhost/foo", "myhost/foo"],
  ["ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base"],
  ["localhost", "docker.io/library/localhost", "localhost"],
  ["localhost/privatebase", "localhost/privatebase", "localhost/privatebase"],
  ["localhost:8000/private/moonbase", "localhost:8000/private/moonbase", "localhost:8000/private/moonbase"],
  ["127.0.0.1:5000/servidorweb", "127.0.0.1:5000/servidorweb", "127.0.0.1:5000/servidorweb"],
  ["example.com/privatebase", "example.com/privatebase", "example.com/privatebase"],
  [
    "example.com:8000/private/moonbase",
    "example.com:8000/private/moonbase",
    "example.com:8000/private/moonbase",
  ],
  ["192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian"],
  ["[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker"],
  ["[2001:db8::1]/foo", "[2001:db8::1]/foo", "[2001:db8::1]/foo"],
  // An upper-case first component is taken as a domain.
  ["Foo/bar", "Foo/bar", "Foo/bar"],
  ["EXAMPLE.com/x", "EXAMPLE.com/x", "EXAMPLE.com/x"],
  ["a__b/c--d/e.f_g", "docker.io/a__b/c--d/e.f_g", "a__b/c--d/e.f_g"],
  // A 64-hex path is fine when it is not the whole input.
  [`docker.io/${HEX}`, `docker.io/library/${HEX}`, HEX],
  [
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
  ],
];

test("normalised names: full and familiar forms", () => {
  for (const [input, full, familiar] of names) {
    const r = parseNormalizedNamed(input);
    assert.equal(fullName(r), full, input);
    assert.equal(familiarName(r), familiar, input);
    assert.equal(r.tag, undefined, input);
    assert.equal(r.digest, undefined, input);
  }
});

test("domain and path are split at the first slash after normalisation", () => {
  assert.deepEqual(parseNormalizedNamed("ubuntu"), { domain: "docker.io", path: "library/ubuntu" });
  assert.deepEqual(parseNormalizedNamed("localhost:5000/a/b:v1"), {
    domain: "localhost:5000",
    path: "a/b",
    tag: "v1",
  });
  assert.deepEqual(parseNormalizedNamed(`x@${DIGEST}`), {
    domain: "docker.io",
    path: "library/x",
    digest: DIGEST,
  });
});

// input → [referenceString after parseReference, familiarString]
const refs: Array<[string, string, string]> = [
  ["ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"],
  ["ubuntu:22.04", "docker.io/library/ubuntu:22.04", "ubuntu:22.04"],
  ["alpine:UPPER_case.tag-1", "docker.io/library/alpine:UPPER_case.tag-1", "alpine:UPPER_case.tag-1"],
  ["127.0.0.1:5000/servidorweb:v1", "127.0.0.1:5000/servidorweb:v1", "127.0.0.1:5000/servidorweb:v1"],
  ["localhost:5000/foo", "localhost:5000/foo:latest", "localhost:5000/foo:latest"],
  [`x@${DIGEST}`, `docker.io/library/x@${DIGEST}`, `x@${DIGEST}`],
  [`x:v1@${DIGEST}`, `docker.io/library/x:v1@${DIGEST}`, `x:v1@${DIGEST}`],
  [`h.io:5000/a/b:t@${DIGEST}`, `h.io:5000/a/b:t@${DIGEST}`, `h.io:5000/a/b:t@${DIGEST}`],
  [`foo:${"a".repeat(128)}`, `docker.io/library/foo:${"a".repeat(128)}`, `foo:${"a".repeat(128)}`],
];

test("parseReference adds latest only without tag or digest", () => {
  for (const [input, full, familiar] of refs) {
    const r = parseReference(input);
    assert.equal(referenceString(r), full, input);
    assert.equal(familiarString(r), familiar, input);
  }
  assert.equal(parseNormalizedNamed("ubuntu").tag, undefined);
  assert.equal(parseReference(`x@${DIGEST}`).tag, undefined);
});

const errors: Array<[string, string]> = [
  ["", "invalid reference format"],
  [":justtag", "invalid reference format"],
  [`@${DIGEST}`, "invalid reference format"],
  ["aa/asdf$$^/aa", "invalid reference format"],
  ["[2001:db8::1]:5000", "invalid reference format"],
  ["[fc00::1]", "invalid reference format"],
  ["[fc00::1%eth0]:5000/foo", "invalid reference format"],
  ["fc00::1:5000/foo", "invalid reference format"],
  ["https://github.com/docker/docker", "invalid reference format"],
  ["-docker", "invalid reference format"],
  ["-docker/docker", "invalid reference format"],
  ["docker///docker", "invalid reference format"],
  ["foo_/bar", "invalid reference format"],
  ["foo:-tag", "invalid reference format"],
  [`foo:${"a".repeat(129)}`, "invalid reference format"],
  ["foo@sha256:abc", "invalid reference format"],
  ["Foo", "invalid reference format: repository name (library/Foo) must be lowercase"],
  ["docker/Docker", "invalid reference format: repository name (docker/Docker) must be lowercase"],
  ["docker.io/docker/Docker", "invalid reference format: repository name (docker/Docker) must be lowercase"],
  ["localhost:5000/Foo:Bar", "invalid reference format: repository name (Foo:Bar) must be lowercase"],
  [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
  [`foo/${"a".repeat(252)}`, "repository name must not be more than 255 characters"],
  [`foo@sha256:${"a".repeat(63)}`, "invalid checksum digest length"],
  [`foo@sha512:${"a".repeat(128)}`, "unsupported digest algorithm"],
  [`foo@sha256:${HEX.toUpperCase()}`, "invalid checksum digest format"],
];

test("Docker's error texts, code INVALID_REFERENCE", () => {
  for (const [input, message] of errors) {
    assert.throws(
      () => parseNormalizedNamed(input),
      (err) => isStrataError(err, "INVALID_REFERENCE") && err.message === message,
      `${JSON.stringify(input)} should fail with ${message}`,
    );
  }
});

test("the 255 limit counts the path only, not the domain", () => {
  const path = `a/${"b".repeat(253)}`;
  assert.equal(path.length, 255);
  assert.equal(parseNormalizedNamed(`${"d".repeat(60)}.example.com:5000/${path}`).path, path);
});

test("withTag, withDigest and isDigestReference", () => {
  const r = parseNormalizedNamed("127.0.0.1:5000/servidorweb");
  const tagged = withTag(r, "v2");
  assert.equal(familiarString(tagged), "127.0.0.1:5000/servidorweb:v2");
  const both = withDigest(tagged, DIGEST);
  assert.equal(familiarString(both), `127.0.0.1:5000/servidorweb:v2@${DIGEST}`);
  assert.equal(familiarString(withTag(both, "v3")), `127.0.0.1:5000/servidorweb:v3@${DIGEST}`);
  assert.ok(isDigestReference(both));
  assert.ok(!isDigestReference(tagged));
  assert.throws(() => withTag(r, "-x"), /invalid tag format/);
  assert.throws(() => withDigest(r, "sha256:zz"), /invalid digest format/);
  // record.ts builds a name-only reference by hand.
  assert.equal(
    referenceString(withDigest({ domain: "docker.io", path: "library/a" }, DIGEST)),
    `docker.io/library/a@${DIGEST}`,
  );
});
