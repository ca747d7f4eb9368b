/**
 * Builds the benchmark images as OCI layouts on disk and pushes them with
 * skopeo (an independent, real client): the seed-shaped web image on a Debian
 * minbase base (debootstrap --variant=minbase, cached), and an image of
 * ~20,000 small files. Layers are deterministic tars, gzip'd by pigz.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export const CACHE = process.env.STRATA_BENCH_CACHE ?? "/var/cache/strata-bench";

/** A path inside the cache directory, which is created on first use (a fresh machine has none). */
export function cachePath(...parts: string[]): string {
  mkdirSync(CACHE, { recursive: true });
  return join(CACHE, ...parts);
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A rootfs tarball: static busybox, a symlink per applet, /etc/passwd and /etc/group (cached). */
export function busyboxTar(): string {
  const tar = cachePath("busybox-rootfs.tar");
  if (existsSync(tar)) return tar;
  const dir = cachePath("busybox-rootfs");
  rmSync(dir, { recursive: true, force: true });
  for (const d of ["bin", "dev", "etc", "proc", "root", "sys", "tmp"])
    mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, "tmp"), 0o1777);
  copyFileSync("/bin/busybox", join(dir, "bin", "busybox"));
  for (const applet of execFileSync("/bin/busybox", ["--list"], { encoding: "utf8" }).split("\n")) {
    if (applet && applet !== "busybox") symlinkSync("busybox", join(dir, "bin", applet));
  }
  writeFileSync(join(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(join(dir, "etc", "group"), "root:x:0:\n");
  const args = ["--sort=name", "--mtime=@0", "--numeric-owner", "--owner=0", "--group=0"];
  execFileSync("tar", ["-C", dir, ...args, "-cf", `${tar}.tmp`, "."]);
  renameSync(`${tar}.tmp`, tar);
  return tar;
}

/** A Debian minbase root file system, made once and cached. */
export function minbase(): string {
  const dir = cachePath("minbase");
  if (existsSync(join(dir, "usr"))) return dir;
  rmSync(`${dir}.tmp`, { recursive: true, force: true });
  execFileSync("debootstrap", ["--variant=minbase", "bookworm", `${dir}.tmp`], { stdio: "inherit" });
  renameSync(`${dir}.tmp`, dir);
  return dir;
}

/** A directory of `count` small files (64–1024 bytes) spread over subdirectories. */
export function smallFiles(count: number): string {
  const dir = cachePath(`small-${count}`);
  if (existsSync(join(dir, "done"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < count; i++) {
    const sub = join(dir, "data", String(i % 200).padStart(3, "0"));
    if (i < 200) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), Buffer.alloc(64 + ((i * 37) % 960), i % 251));
  }
  writeFileSync(join(dir, "done"), "");
  return dir;
}

interface Blob {
  digest: string;
  size: number;
  diffId?: string;
}

function writeBlob(layout: string, data: Buffer): Blob {
  const hex = sha(data);
  writeFileSync(join(layout, "blobs", "sha256", hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Compressed layers already made in this process, by source directory: images that share a base share its blob. */
const made = new Map<string, { gz: Buffer; diffId: string }>();

/** A gzip'd layer of `dir`'s contents (or of `files` within it). */
function layer(layout: string, dir: string, files: string[] = ["."]): Blob {
  const key = `${dir}\0${files.join("\0")}`;
  const known = made.get(key);
  if (known) return { ...writeBlob(layout, known.gz), diffId: known.diffId };
  const tar = execFileSync(
    "tar",
    ["-C", dir, "--sort=name", "--mtime=@0", "--numeric-owner", "--xattrs", "-cf", "-", ...files],
    { maxBuffer: 4 << 30 },
  );
  const gz = execFileSync("pigz", ["-n", "-6", "-c"], { input: tar, maxBuffer: 4 << 30 });
  made.set(key, { gz, diffId: `sha256:${sha(tar)}` });
  return { ...writeBlob(layout, gz), diffId: `sha256:${sha(tar)}` };
}

/** Writes an OCI layout holding one image of the given layer directories; returns its path. */
export function buildLayout(
  name: string,
  layers: Array<{ dir: string; files?: string[] }>,
  cmd: string[],
): string {
  const layout = cachePath("layouts", name);
  if (existsSync(join(layout, "index.json"))) return layout;
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });
  const blobs = layers.map((l) => layer(layout, l.dir, l.files));
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "2026-11-22T10:19:08Z",
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: cmd },
      rootfs: { type: "layers", diff_ids: blobs.map((b) => b.diffId) },
      history: blobs.map((_, i) => ({ created: "2026-11-22T10:19:08Z", created_by: `layer ${i}` })),
    }),
  );
  const configBlob = writeBlob(layout, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configBlob },
      layers: blobs.map((b) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: b.digest,
        size: b.size,
      })),
    }),
  );
  const m = writeBlob(layout, manifest);
  writeFileSync(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m }],
    }),
  );
  return layout;
}

export function push(layout: string, target: string): void {
  execFileSync(
    "skopeo",
    ["copy", "--quiet", "--dest-tls-verify=false", `oci:${layout}`, `docker://${target}`],
    {
      stdio: "inherit",
    },
  );
}

/** Layer blobs of a layout, gzip'd, for the `gzip -dc | tar -x` floor. */
export function layerBlobs(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
  const mhex = index.manifests[0].digest.slice(7);
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", mhex), "utf8"));
  return manifest.layers.map((l: { digest: string }) => join(layout, "blobs", "sha256", l.digest.slice(7)));
}
