/**
 * `load`: images from a `save` archive, either Docker's layout (manifest.json
 * naming config and layer files) or a bare OCI image layout (index.json). The
 * archive is unpacked with the same path-safe extractor as layers, into the
 * store's tmp/, then each layer is checked against the config's diff IDs.
 */
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { applyLayer, cleanName, sniffCompression } from "../archive/index.ts";
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

interface Item {
  config: string;
  layers: string[];
  tags: string[];
}

const bad = (msg: string) => new StrataError("INVALID_ARGUMENT", `invalid archive: ${msg}`);

function inside(dir: string, name: string): string {
  return join(dir, ...cleanName(name));
}

function readItems(dir: string): Item[] {
  if (existsSync(join(dir, "manifest.json"))) {
    const doc = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Array<{
      Config: string;
      RepoTags?: string[] | null;
      Layers: string[];
    }>;
    if (!Array.isArray(doc)) throw bad("manifest.json is not a list");
    return doc.map((m) => ({ config: m.Config, layers: m.Layers, tags: m.RepoTags ?? [] }));
  }
  if (!existsSync(join(dir, "index.json"))) throw bad("neither manifest.json nor index.json found");
  const blob = (d: string) => join("blobs", ...d.split(":"));
  const index = parseImageIndex(readFileSync(join(dir, "index.json")));
  return index.manifests.map((desc) => {
    const manifest = parseImageManifest(readFileSync(inside(dir, blob(desc.digest))));
    const name = desc.annotations?.["io.containerd.image.name"];
    return {
      config: blob(manifest.config.digest),
      layers: manifest.layers.map((l) => blob(l.digest)),
      tags: name ? [name] : [],
    };
  });
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
      const configBytes = readFileSync(inside(staged.diffDir, item.config));
      const config = parseConfig(configBytes);
      if (config.diffIds.length !== item.layers.length)
        throw bad(`${item.config} lists ${config.diffIds.length} diff IDs for ${item.layers.length} layers`);
      let parent: Digest | null = null;
      const chain: Digest[] = [];
      for (const [i, layerPath] of item.layers.entries()) {
        const layer = await ingestLocal(
          store,
          createReadStream(inside(staged.diffDir, layerPath)),
          parent,
          config.diffIds[i],
        );
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
