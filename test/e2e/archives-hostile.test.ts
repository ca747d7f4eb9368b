/**
 * `load` archives are untrusted: every path named inside one (manifest.json's
 * Config and Layers, OCI blobs) resolves inside the archive, symlinks
 * included (confined as moby's FollowSymlinkInScope confines them); only
 * regular files are read, and never past the size the archive declares.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { buildTar, type TestEntry } from "../archive/tar-builder.ts";
import { strata } from "../support/cli.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const dir = tempDir();
const layer = buildTar([{ name: "hello.txt", body: "hello from a loaded layer\n" }]);
const config = (diffIds: string[]) =>
  JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: diffIds },
    history: [{ created: "2024-01-01T00:00:00Z", created_by: "test" }],
  });
const manifest = (layers: string[], tag: string, cfg = "config.json") =>
  JSON.stringify([{ Config: cfg, RepoTags: [tag], Layers: layers }]);

function archive(name: string, entries: TestEntry[]): string {
  const path = join(dir, name);
  writeFileSync(path, buildTar(entries));
  return path;
}

async function refused(path: string, pattern: RegExp): Promise<void> {
  const started = Date.now();
  const r = await strata(root, ["load", "-i", path], { timeoutMs: 20_000 });
  assert.equal(r.code, 1, `exit 1 (took ${Date.now() - started} ms): ${r.stderr}`);
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.equal((await strata(root, ["images", "-q"])).stdout, "");
}

test("a layer entry that is a symlink to /dev/zero ends at once: one line, exit 1", async () => {
  const path = archive("zero.tar", [
    { name: "config.json", body: config([sha256Digest(layer)]) },
    { name: "manifest.json", body: manifest(["layer.tar"], "evil/zero:1") },
    { name: "layer.tar", type: "2", linkname: "/dev/zero" },
  ]);
  await refused(path, /^Error: invalid archive: layer\.tar/);
});

test("a symlink resolves inside the archive: to its own /dev/zero device, a fifo, ../ climbs", async () => {
  const device = archive("device.tar", [
    { name: "config.json", body: config([sha256Digest(layer)]) },
    { name: "manifest.json", body: manifest(["layer.tar"], "evil/dev:1") },
    { name: "dev/zero", type: "3", devmajor: 1, devminor: 5, mode: 0o666 },
    { name: "layer.tar", type: "2", linkname: "/dev/zero" },
  ]);
  await refused(device, /^Error: invalid archive: layer\.tar is not a regular file/);
  const fifo = archive("fifo.tar", [
    { name: "config.json", body: config([sha256Digest(layer)]) },
    { name: "manifest.json", body: manifest(["layer.tar"], "evil/fifo:1") },
    { name: "layer.tar", type: "6" },
  ]);
  await refused(fifo, /^Error: invalid archive: layer\.tar is not a regular file/);
  const climb = archive("climb.tar", [
    { name: "manifest.json", body: manifest(["layer.tar"], "evil/climb:1", "../../../../etc/passwd") },
    { name: "layer.tar", body: layer },
  ]);
  await refused(climb, /^Error: invalid archive: \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd: no such file/);
  const manifestLink = archive("manifest-link.tar", [
    { name: "manifest.json", type: "2", linkname: "/proc/self/environ" },
  ]);
  await refused(manifestLink, /^Error: invalid archive: manifest\.json: no such file/);
});

test("an OCI blob larger than its descriptor declares is refused without reading on", async () => {
  const cfg = Buffer.from(config([sha256Digest(layer)]));
  const m = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256Digest(cfg),
        size: cfg.length,
      },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar",
          digest: sha256Digest(layer),
          size: layer.length - 512,
        },
      ],
    }),
  );
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: sha256Digest(m),
        size: m.length,
        annotations: { "io.containerd.image.name": "evil/oci:1" },
      },
    ],
  });
  const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
  const path = archive("oci.tar", [
    { name: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: "index.json", body: index },
    { name: blob(sha256Digest(m)), body: m },
    { name: blob(sha256Digest(cfg)), body: cfg },
    { name: blob(sha256Digest(layer)), body: layer },
  ]);
  await refused(
    path,
    /^Error: invalid archive: blobs\/sha256\/[0-9a-f]{64} has \d+ bytes, its descriptor declares \d+/,
  );
});

test("symlinks that stay inside the archive are followed, absolute ones from the archive's root", async () => {
  const path = archive("links.tar", [
    { name: "blobs/config.json", body: config([sha256Digest(layer)]) },
    { name: "blobs/real.tar", body: layer },
    { name: "cfg", type: "2", linkname: "blobs/config.json" },
    { name: "manifest.json", body: manifest(["img/layer.tar"], "good/links:1", "cfg") },
    { name: "img/layer.tar", type: "2", linkname: "/blobs/../blobs/real.tar" },
  ]);
  const r = await strata(root, ["load", "-i", path], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Loaded image: good/links:1\n");
  assert.equal((await strata(root, ["system", "check"])).code, 0);
});
