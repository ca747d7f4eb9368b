import assert from "node:assert/strict";
import { test } from "node:test";
import { isStrataError } from "../../src/errors.ts";
import {
  formatPlatform,
  hostPlatform,
  type ImageIndex,
  MediaType,
  matchManifests,
  type Platform,
  parsePlatform,
  platformVector,
  selectManifest,
} from "../../src/oci/index.ts";

const parses: Array<[string, string]> = [
  ["linux/amd64", "linux/amd64"],
  ["linux/x86_64", "linux/amd64"],
  ["Linux/X86-64", "linux/amd64"],
  ["linux/aarch64", "linux/arm64"],
  ["linux/arm64/8", "linux/arm64/v8"],
  ["linux/arm64/v8", "linux/arm64/v8"],
  ["linux/aarch64/v8.0", "linux/arm64/v8"],
  ["linux/arm64/v8.2", "linux/arm64/v8.2"],
  ["linux/arm", "linux/arm/v7"],
  ["linux/arm/7", "linux/arm/v7"],
  ["linux/arm/6", "linux/arm/v6"],
  ["linux/armhf", "linux/arm/v7"],
  ["linux/armel", "linux/arm/v6"],
  ["linux/i386", "linux/386"],
  ["macos/arm64", "darwin/arm64"],
  ["windows/amd64", "windows/amd64"],
];

test("parsePlatform normalises as Docker does", () => {
  for (const [input, want] of parses) assert.equal(formatPlatform(parsePlatform(input)), want, input);
  assert.deepEqual(parsePlatform("linux/arm64/v8"), { os: "linux", architecture: "arm64", variant: "v8" });
  assert.deepEqual(parsePlatform("linux/amd64"), { os: "linux", architecture: "amd64" });
});

test("parsePlatform: a single component is an OS or an architecture", () => {
  const host = hostPlatform();
  assert.deepEqual(parsePlatform("linux"), { ...host, os: "linux" });
  assert.deepEqual(parsePlatform("arm64"), { os: host.os, architecture: "arm64" });
  for (const bad of ["foo", "linux/amd64/v1/x", "linux/*", "", "linux//v7"]) {
    assert.throws(
      () => parsePlatform(bad),
      (e) => isStrataError(e, "INVALID_ARGUMENT"),
      bad,
    );
  }
  assert.throws(() => parsePlatform("foo"), {
    message: '"foo": unknown operating system or architecture: invalid argument',
  });
});

test("hostPlatform names this machine", () => {
  const host = hostPlatform();
  assert.equal(host.os, "linux");
  if (process.arch === "x64") assert.deepEqual(host, { os: "linux", architecture: "amd64" });
  if (process.arch === "arm64") assert.deepEqual(host, { os: "linux", architecture: "arm64", variant: "v8" });
});

const fmt = (ps: Platform[]) => ps.map(formatPlatform);

test("compatibility vectors follow containerd's compare.go", () => {
  assert.deepEqual(fmt(platformVector(parsePlatform("linux/amd64"))), ["linux/amd64", "linux/386"]);
  assert.deepEqual(fmt(platformVector({ os: "linux", architecture: "amd64", variant: "v3" })), [
    "linux/amd64/v3",
    "linux/amd64/v2",
    "linux/amd64/v1",
    "linux/386",
  ]);
  assert.deepEqual(fmt(platformVector(parsePlatform("linux/arm/v7"))), [
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
  ]);
  assert.deepEqual(fmt(platformVector(parsePlatform("linux/arm64"))), [
    "linux/arm64/v8",
    "linux/arm/v8",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
  ]);
  assert.deepEqual(fmt(platformVector(parsePlatform("linux/arm64/v8.2"))).slice(0, 4), [
    "linux/arm64/v8.2",
    "linux/arm64/v8.1",
    "linux/arm64/v8",
    "linux/arm/v8",
  ]);
  assert.deepEqual(fmt(platformVector(parsePlatform("linux/arm64/v9.1"))).slice(0, 4), [
    "linux/arm64/v9.1",
    "linux/arm64/v9",
    "linux/arm64/v8.6",
    "linux/arm64/v8.5",
  ]);
});

function entry(
  n: number,
  platform?: Partial<Platform> & { os: string; architecture: string },
  mediaType: string = MediaType.OciManifest,
) {
  return {
    mediaType,
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 100 + n,
    ...(platform ? { platform } : {}),
  };
}

const index = {
  schemaVersion: 2 as const,
  mediaType: MediaType.OciIndex,
  manifests: [
    entry(1, { os: "linux", architecture: "386" }),
    entry(2, { os: "linux", architecture: "arm", variant: "v6" }),
    entry(3, { os: "linux", architecture: "amd64" }),
    entry(4, { os: "linux", architecture: "arm64", variant: "v8" }),
    entry(5, { os: "unknown", architecture: "unknown" }),
    entry(6, { os: "linux", architecture: "arm", variant: "v7" }),
    entry(7, { os: "linux", architecture: "amd64", variant: "v2" }),
    entry(8, { os: "linux", architecture: "arm64" }, "application/vnd.example.unknown+json"),
  ],
} as unknown as ImageIndex;

test("selectManifest prefers the exact platform, then the compatible ones in order", () => {
  const sizes = (p: string) => matchManifests(index, parsePlatform(p)).map((d) => d.size - 100);
  assert.deepEqual(sizes("linux/amd64"), [3, 1]);
  assert.deepEqual(sizes("linux/arm64/v8"), [4, 6, 2], "unknown media types are skipped");
  assert.deepEqual(sizes("linux/arm/v7"), [6, 2]);
  assert.deepEqual(sizes("linux/arm/v5"), []);
  assert.deepEqual(
    matchManifests(index, { os: "linux", architecture: "amd64", variant: "v3" }).map((d) => d.size - 100),
    [7, 3, 1],
  );
  assert.equal(selectManifest(index, parsePlatform("linux/aarch64")).size, 104);
});

test("entries without a platform match, but last", () => {
  const idx = {
    ...index,
    manifests: [entry(9), entry(1, { os: "linux", architecture: "386" })],
  } as unknown as ImageIndex;
  assert.deepEqual(
    matchManifests(idx, parsePlatform("linux/amd64")).map((d) => d.size - 100),
    [1, 9],
  );
  assert.deepEqual(
    matchManifests(idx, parsePlatform("linux/s390x")).map((d) => d.size - 100),
    [9],
  );
});

test("no match: Docker's message, code NO_MATCHING_PLATFORM", () => {
  const only = {
    ...index,
    manifests: [entry(3, { os: "linux", architecture: "amd64" })],
  } as unknown as ImageIndex;
  assert.throws(
    () => selectManifest(only, parsePlatform("linux/arm64/v8")),
    (e) =>
      isStrataError(e, "NO_MATCHING_PLATFORM") &&
      e.message === "no matching manifest for linux/arm64/v8 in the manifest list entries",
  );
});
