/**
 * `load`: images from a `save` archive, either Docker's layout (manifest.json
 * naming config and layer files) or a bare OCI image layout (index.json). The
 * archive is unpacked with the same path-safe extractor as layers, into the
 * store's tmp/, then each layer is checked against the config's diff IDs.
 * Every name the archive's documents give is resolved inside the unpacked
 * archive (archive/scope.ts): the archive is untrusted input.
 */
import { lstatSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { applyLayer, readRegular, sniffCompression, streamRegular } from "../archive/index.ts";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { FileLock } from "../metadata/index.ts";
import { parseImageIndex, parseImageManifest } from "../oci/index.ts";
import { parseReference } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import { parseConfig } from "./config.ts";
import { ingestLocal } from "./ingest.ts";
import { recordImage } from "./record.ts";

export interface LoadedImage {
  id: Digest;
  tags: string[];
}

/** A file of the archive and the size its descriptor declares (OCI layouts declare sizes; manifest.json does not). */
interface Named {
  name: string;
  size?: number;
}

interface Item {
  config: Named;
  layers: Named[];
  tags: string[];
}

/** The archive's JSON documents are small; a bigger one is not an archive strata wrote or Docker would. */
const MAX_DOCUMENT = 32 << 20;

const bad = (msg: string) => new StrataError("INVALID_ARGUMENT", `invalid archive: ${msg}`);

/** Whether the archive has a top-level entry `name` (of any type: reading it checks what it is). */
const has = (dir: string, name: string) =>
  lstatSync(join(dir, name), { throwIfNoEntry: false }) !== undefined;

const readDoc = (dir: string, f: Named) =>
  readRegular(dir, f.name, { declaredSize: f.size, maxSize: MAX_DOCUMENT });

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw bad(`${name} is not JSON`);
  }
}

function dockerItems(dir: string): Item[] {
  const doc = parseJson(readDoc(dir, { name: "manifest.json" }), "manifest.json") as Array<{
    Config: unknown;
    RepoTags?: string[] | null;
    Layers: unknown;
  }>;
  if (!Array.isArray(doc)) throw bad("manifest.json is not a list");
  return doc.map((m) => {
    const layers = m?.Layers;
    if (
      typeof m?.Config !== "string" ||
      !Array.isArray(layers) ||
      !layers.every((l) => typeof l === "string")
    )
      throw bad("manifest.json entries need a Config and a list of Layers");
    return { config: { name: m.Config }, layers: layers.map((name) => ({ name })), tags: m.RepoTags ?? [] };
  });
}

function ociItems(dir: string): Item[] {
  const blob = (d: { digest: string; size: number }): Named => ({
    name: `blobs/${d.digest.replace(":", "/")}`,
    size: d.size,
  });
  const index = parseImageIndex(readDoc(dir, { name: "index.json" }));
  return index.manifests.map((desc) => {
    const manifest = parseImageManifest(readDoc(dir, blob(desc)));
    const name = desc.annotations?.["io.containerd.image.name"];
    return { config: blob(manifest.config), layers: manifest.layers.map(blob), tags: name ? [name] : [] };
  });
}

function readItems(dir: string): Item[] {
  if (has(dir, "manifest.json")) return dockerItems(dir);
  if (!has(dir, "index.json")) throw bad("neither manifest.json nor index.json found");
  return ociItems(dir);
}

export async function loadImages(store: Store, input: Readable): Promise<LoadedImage[]> {
  const gcLock = new FileLock(store.gcLockPath);
  await gcLock.acquire("shared");
  const staged = store.layers.stage();
  try {
    const { compression, stream } = await sniffCompression(input);
    try {
      await applyLayer(stream, staged.diffDir, { compression, tarSplitPath: staged.tarSplitPath });
    } catch (cause) {
      if (cause instanceof StrataError && cause.code === "UNSAFE_PATH") throw cause;
      throw new StrataError("INVALID_ARGUMENT", `invalid archive: ${(cause as Error).message}`, { cause });
    }
    const loaded: LoadedImage[] = [];
    for (const item of readItems(staged.diffDir)) {
      const configBytes = readDoc(staged.diffDir, item.config);
      const config = parseConfig(configBytes);
      if (config.diffIds.length !== item.layers.length)
        throw bad(
          `${item.config.name} lists ${config.diffIds.length} diff IDs for ${item.layers.length} layers`,
        );
      let parent: Digest | null = null;
      const chain: Digest[] = [];
      for (const [i, file] of item.layers.entries()) {
        const input = streamRegular(staged.diffDir, file.name, { declaredSize: file.size });
        const layer = await ingestLocal(store, input, parent, config.diffIds[i]);
        chain.push(layer.chainId);
        parent = layer.chainId;
      }
      const id = store.content.write(configBytes);
      const image = {
        imageId: id,
        config,
        chain,
        manifestDigest: null,
        manifestMediaType: null,
        topDigest: null,
      };
      if (item.tags.length === 0) recordImage(store, undefined, image);
      for (const tag of item.tags) recordImage(store, parseReference(tag), image);
      loaded.push({ id, tags: item.tags });
    }
    return loaded;
  } finally {
    await rm(staged.path, { recursive: true, force: true });
    gcLock.release();
  }
}
