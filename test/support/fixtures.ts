/**
 * Test images, built here and pushed with strata's own RegistryClient.
 * Layers are tarred by GNU tar with fixed names, times and owners and
 * compressed with `gzip -n` / `zstd`, so the same content gives the same
 * digests on every run.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Digest, sha256Digest } from "../../src/digest/index.ts";
import {
  formatPlatform,
  type HistoryEntry,
  hostPlatform,
  type ImageConfig,
  type LayerCompression,
  layerMediaType,
  MediaType,
  type Platform,
} from "../../src/oci/index.ts";
import { nameOnly, parseReference, type Reference, withDigest } from "../../src/reference/index.ts";
import type { RegistryClient } from "../../src/registry/index.ts";

export interface LayerSpec {
  /** A directory to tar (its contents become the layer's root). */
  dir?: string;
  /** Files to put in a fresh directory and tar: path → content. */
  files?: Record<string, string | Buffer>;
  /** A ready uncompressed tar. */
  tar?: Buffer;
  compression?: LayerCompression;
}

export interface PushImageOptions {
  layers: LayerSpec[];
  /** Merged over the defaults (host platform, fixed `created`, the diff IDs of `layers`). */
  config?: Partial<ImageConfig>;
  mediaTypes?: "docker" | "oci";
  history?: HistoryEntry[];
  /** Push under the manifest's digest instead of the reference's tag. */
  byDigest?: boolean;
}

export interface PushedImage {
  manifestDigest: Digest;
  manifestMediaType: string;
  manifest: Buffer;
  configDigest: Digest;
  config: Buffer;
  /** Compressed blob digests and sizes, bottom layer first. */
  layerDigests: Digest[];
  layerSizes: number[];
  /** Uncompressed tar digests (the config's rootfs.diff_ids). */
  diffIds: Digest[];
}

const BIG = 512 << 20;
const FIXED_CREATED = "2026-11-22T10:19:08.913238265Z";

function scratchDir(prefix: string): string {
  return mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), prefix));
}

/** A deterministic tar of `dir`'s contents: sorted names, mtime 0, owner root, no `./` prefix. */
export function tarDirectory(dir: string): Buffer {
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return Buffer.alloc(1024); // an empty archive: two zero blocks
  return execFileSync(
    "tar",
    [
      "-C",
      dir,
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--format=gnu",
      "-cf",
      "-",
      ...entries,
    ],
    { maxBuffer: BIG },
  );
}

export function compress(tar: Buffer, compression: LayerCompression): Buffer {
  if (compression === "none") return tar;
  if (compression === "gzip") return execFileSync("gzip", ["-n", "-c"], { input: tar, maxBuffer: BIG });
  return execFileSync("zstd", ["-q", "-c"], { input: tar, maxBuffer: BIG });
}

/** Writes `files` under `dir` (parents created, 0755 dirs, 0644 files). */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path.replace(/^\/+/, ""));
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, content);
    chmodSync(full, 0o644);
  }
}

function layerTar(spec: LayerSpec): Buffer {
  if (spec.tar) return spec.tar;
  if (spec.dir) return tarDirectory(spec.dir);
  const dir = scratchDir("strata-layer-");
  try {
    writeTree(dir, spec.files ?? {});
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function toRef(ref: Reference | string): Reference {
  return typeof ref === "string" ? parseReference(ref) : ref;
}

/** Builds an image from `opts.layers`, pushes its blobs and manifest, and says what it pushed. */
export async function pushImage(
  client: RegistryClient,
  ref: Reference | string,
  opts: PushImageOptions,
): Promise<PushedImage> {
  const r = toRef(ref);
  const format = opts.mediaTypes ?? "docker";
  const layers = opts.layers.map((spec) => {
    const tar = layerTar(spec);
    const compression = spec.compression ?? "gzip";
    const blob = compress(tar, compression);
    return {
      diffId: sha256Digest(tar),
      blob,
      digest: sha256Digest(blob),
      mediaType: layerMediaType(format, compression),
    };
  });
  const diffIds = layers.map((l) => l.diffId);
  const host = hostPlatform();
  const { rootfs: _ignored, ...extra } = opts.config ?? {};
  const configDoc = {
    architecture: host.architecture,
    ...(host.variant ? { variant: host.variant } : {}),
    os: host.os,
    created: FIXED_CREATED,
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
    ...extra,
    rootfs: { type: "layers", diff_ids: diffIds },
    history:
      opts.history ??
      extra.history ??
      layers.map((_, i) => ({ created: FIXED_CREATED, created_by: `strata fixture layer ${i + 1}` })),
  };
  const config = Buffer.from(JSON.stringify(configDoc));
  const configDigest = sha256Digest(config);
  const configMediaType = format === "docker" ? MediaType.DockerConfig : MediaType.OciConfig;

  await client.pushBlob(r, configDigest, config, config.length);
  for (const l of layers) await client.pushBlob(r, l.digest, l.blob, l.blob.length);

  const manifestMediaType = format === "docker" ? MediaType.DockerManifest : MediaType.OciManifest;
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: configMediaType, size: config.length, digest: configDigest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.blob.length, digest: l.digest })),
  };
  // distribution marshals schema2 manifests with three-space indentation.
  const manifest = Buffer.from(
    format === "docker" ? JSON.stringify(manifestDoc, null, 3) : JSON.stringify(manifestDoc),
  );
  const manifestDigest = sha256Digest(manifest);
  await client.pushManifest(
    opts.byDigest ? withDigest(nameOnly(r), manifestDigest) : r,
    manifest,
    manifestMediaType,
  );
  return {
    manifestDigest,
    manifestMediaType,
    manifest,
    configDigest,
    config,
    layerDigests: layers.map((l) => l.digest),
    layerSizes: layers.map((l) => l.blob.length),
    diffIds,
  };
}

const BUSYBOX_APPLETS = [
  "[",
  "ash",
  "awk",
  "basename",
  "cat",
  "chmod",
  "chown",
  "cp",
  "cut",
  "date",
  "df",
  "dirname",
  "du",
  "echo",
  "env",
  "false",
  "find",
  "grep",
  "head",
  "hostname",
  "httpd",
  "id",
  "kill",
  "ln",
  "ls",
  "mkdir",
  "mktemp",
  "mv",
  "nc",
  "printf",
  "ps",
  "pwd",
  "readlink",
  "rm",
  "rmdir",
  "sed",
  "seq",
  "sh",
  "sleep",
  "sort",
  "stat",
  "tail",
  "tee",
  "test",
  "top",
  "touch",
  "tr",
  "true",
  "uname",
  "uniq",
  "wc",
  "wget",
  "which",
  "whoami",
  "xargs",
  "yes",
];

/**
 * A minimal root file system: /bin/busybox (Debian's busybox-static) with
 * applet symlinks, /etc/passwd and /etc/group, /tmp (1777) and /root (0700).
 * Built in `dir` (a new temporary directory when omitted); the caller removes it.
 */
export function buildBusyboxBase(dir = scratchDir("strata-busybox-")): string {
  for (const d of ["bin", "etc", "root", "tmp", "var"]) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync("/bin/busybox", join(dir, "bin", "busybox"));
  chmodSync(join(dir, "bin", "busybox"), 0o755);
  for (const applet of BUSYBOX_APPLETS) symlinkSync("busybox", join(dir, "bin", applet));
  writeFileSync(
    join(dir, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  );
  writeFileSync(join(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  chmodSync(join(dir, "etc", "passwd"), 0o644);
  chmodSync(join(dir, "etc", "group"), 0o644);
  for (const d of ["bin", "etc", "var"]) chmodSync(join(dir, d), 0o755);
  chmodSync(join(dir, "tmp"), 0o1777);
  chmodSync(join(dir, "root"), 0o700);
  chmodSync(dir, 0o755);
  return dir;
}

let busyboxTar: Buffer | undefined;

/** The busybox base layer's tar, built once per process so every image shares the same layer. */
export function busyboxBaseTar(): Buffer {
  if (!busyboxTar) {
    const dir = buildBusyboxBase();
    try {
      busyboxTar = tarDirectory(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return busyboxTar;
}

export const SERVIDORWEB_CMD = ["/bin/busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/var/www/html"];
export const SERVIDORWEB_INDEX = {
  v1: "<h1>Servidor web</h1>\n",
  v2: "<h1>Servidor web v2</h1>\n",
};

const HTTPD_CONF = "# busybox httpd: serve /var/www/html\n.html:text/html\n.txt:text/plain\n";

/** The web server layer: /etc/httpd.conf and an empty /var/www/html. */
function webServerTar(): Buffer {
  const dir = scratchDir("strata-httpd-");
  try {
    writeTree(dir, { "etc/httpd.conf": HTTPD_CONF });
    mkdirSync(join(dir, "var", "www", "html"), { recursive: true });
    for (const d of ["etc", "var", "var/www", "var/www/html"]) chmodSync(join(dir, d), 0o755);
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function indexTar(content: string): Buffer {
  const dir = scratchDir("strata-index-");
  try {
    writeTree(dir, { "var/www/html/index.html": content });
    for (const d of ["var", "var/www", "var/www/html"]) chmodSync(join(dir, d), 0o755);
    return tarDirectory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Docker's classic-builder history line for `COPY dir:<hash> in /` (note the trailing space). */
function copyLine(tar: Buffer): string {
  return `/bin/sh -c #(nop) COPY dir:${sha256Digest(Buffer.concat([Buffer.from("dir:"), tar])).slice(7)} in / `;
}

const CREATED = {
  v1: [
    "2026-11-22T10:18:40.100000000Z",
    "2026-11-22T10:19:07.512345678Z",
    "2026-11-22T10:19:08.113238265Z",
    "2026-11-22T10:19:08.513238265Z",
    "2026-11-22T10:19:08.913238265Z",
  ],
  v2: [
    "2026-11-22T10:18:40.100000000Z",
    "2026-11-22T10:19:07.512345678Z",
    "2026-11-22T10:19:30.204812339Z",
    "2026-11-22T10:19:30.604812339Z",
    "2026-11-22T10:19:31.004812339Z",
  ],
};

/**
 * Pushes `<host>/servidorweb:v1` and `:v2` in the seed story's shape: a shared
 * busybox base, a shared web server layer, and a top layer holding only
 * /var/www/html/index.html (22 bytes in v1, 25 in v2).
 */
export async function pushServidorweb(
  client: RegistryClient,
  host: string,
): Promise<{ v1: PushedImage; v2: PushedImage }> {
  const base = busyboxBaseTar();
  const web = webServerTar();
  const push = (version: "v1" | "v2") => {
    const top = indexTar(SERVIDORWEB_INDEX[version]);
    const created = CREATED[version];
    const cmdLine = `/bin/sh -c #(nop)  CMD [${SERVIDORWEB_CMD.map((a) => JSON.stringify(a)).join(" ")}]`;
    return pushImage(client, `${host}/servidorweb:${version}`, {
      layers: [{ tar: base }, { tar: web }, { tar: top }],
      config: {
        created: created[4],
        config: {
          Hostname: "",
          Domainname: "",
          User: "",
          AttachStdin: false,
          AttachStdout: false,
          AttachStderr: false,
          ExposedPorts: { "80/tcp": {} },
          Tty: false,
          OpenStdin: false,
          StdinOnce: false,
          Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
          Cmd: SERVIDORWEB_CMD,
          Image: "",
          Volumes: null,
          WorkingDir: "",
          Entrypoint: null,
          OnBuild: null,
          Labels: null,
        },
      },
      history: [
        { created: created[0], created_by: "", comment: "busybox-static base (strata test fixture)" },
        { created: created[1], created_by: copyLine(web) },
        { created: created[2], created_by: copyLine(top) },
        { created: created[3], created_by: "/bin/sh -c #(nop)  EXPOSE 80", empty_layer: true },
        { created: created[4], created_by: cmdLine, empty_layer: true },
      ],
    });
  };
  const v1 = await push("v1");
  const v2 = await push("v2");
  return { v1, v2 };
}

export interface PushedPlatformImage extends PushedImage {
  platform: Platform;
  compression: LayerCompression;
}

export interface PushedIndex {
  indexDigest: Digest;
  index: Buffer;
  manifests: PushedPlatformImage[];
}

export const MULTI_PLATFORMS: Array<{ platform: Platform; compression: LayerCompression }> = [
  { platform: { os: "linux", architecture: "amd64" }, compression: "gzip" },
  { platform: { os: "linux", architecture: "arm64", variant: "v8" }, compression: "zstd" },
  { platform: { os: "linux", architecture: "arm", variant: "v7" }, compression: "none" },
];

/**
 * Pushes an OCI index under `ref` with linux/amd64 (gzip layer),
 * linux/arm64/v8 (zstd) and linux/arm/v7 (uncompressed), each image one tiny
 * layer holding /platform.txt. The platform manifests are pushed by digest.
 */
export async function pushMultiPlatform(
  client: RegistryClient,
  ref: Reference | string,
): Promise<PushedIndex> {
  const r = toRef(ref);
  const manifests: PushedPlatformImage[] = [];
  for (const { platform, compression } of MULTI_PLATFORMS) {
    const name = formatPlatform(platform);
    const pushed = await pushImage(client, r, {
      mediaTypes: "oci",
      byDigest: true,
      layers: [{ files: { "platform.txt": `${name}\n` }, compression }],
      config: {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { Cmd: ["/bin/cat", "/platform.txt"] },
      },
      history: [{ created: FIXED_CREATED, created_by: `COPY platform.txt / # ${name}` }],
    });
    manifests.push({ ...pushed, platform, compression });
  }
  const indexDoc = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: manifests.map((m) => ({
      mediaType: m.manifestMediaType,
      digest: m.manifestDigest,
      size: m.manifest.length,
      platform: m.platform,
    })),
  };
  const index = Buffer.from(JSON.stringify(indexDoc));
  const indexDigest = await client.pushManifest(r, index, MediaType.OciIndex);
  return { indexDigest, index, manifests };
}
