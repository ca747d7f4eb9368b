/**
 * `save`: images as one tar in the layout Docker 25+ writes, readable by both
 * `docker load` and OCI tools: an OCI image layout (oci-layout, index.json,
 * blobs/sha256/…) plus Docker's manifest.json. Layers are re-emitted from the
 * store uncompressed, byte for byte as they were pulled, so each blob's digest
 * is its diff ID.
 */
import { Readable } from "node:stream";
import { emitLayer, emittedSize, TAR_END, tarHeader, tarPadding } from "../archive/index.ts";
import { type Digest, hexOf, sha256Digest } from "../digest/index.ts";
import { MediaType } from "../oci/index.ts";
import type { Store } from "../store/index.ts";
import { parseConfig } from "./config.ts";
import { familiarRef, findImage } from "./lookup.ts";

interface Plan {
  files: Array<{ name: string; bytes?: Buffer; layer?: Digest; size: number }>;
}

function blobName(d: Digest): string {
  return `blobs/sha256/${hexOf(d)}`;
}

function plan(store: Store, names: string[]): Plan {
  const files: Plan["files"] = [];
  const seen = new Set<string>();
  const add = (name: string, entry: Omit<Plan["files"][number], "name">) => {
    if (seen.has(name)) return;
    seen.add(name);
    files.push({ name, ...entry });
  };
  const index: unknown[] = [];
  const dockerManifest: unknown[] = [];
  for (const input of names) {
    const { image, ref } = findImage(store, input);
    const configBytes = store.content.read(image.id);
    const config = parseConfig(configBytes);
    const layers = image.chain.map((chainId, i) => {
      const tarSplit = store.layers.tarSplitPath(chainId);
      return { chainId, diffId: config.diffIds[i], size: emittedSize(tarSplit) };
    });
    add(blobName(image.id), { bytes: configBytes, size: configBytes.length });
    for (const l of layers) add(blobName(l.diffId), { layer: l.chainId, size: l.size });
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: image.id, size: configBytes.length },
        layers: layers.map((l) => ({ mediaType: MediaType.OciLayer, digest: l.diffId, size: l.size })),
      }),
    );
    const manifestDigest = sha256Digest(manifest);
    add(blobName(manifestDigest), { bytes: manifest, size: manifest.length });
    const tags = ref?.kind === "tag" ? [familiarRef(ref.name)] : [];
    const annotations: Record<string, string> = {};
    if (ref?.kind === "tag") {
      annotations["io.containerd.image.name"] = ref.name;
      annotations["org.opencontainers.image.ref.name"] = ref.name.slice(ref.name.lastIndexOf(":") + 1);
    }
    index.push({
      mediaType: MediaType.OciManifest,
      digest: manifestDigest,
      size: manifest.length,
      annotations,
    });
    dockerManifest.push({
      Config: blobName(image.id),
      RepoTags: tags.length > 0 ? tags : null,
      Layers: layers.map((l) => blobName(l.diffId)),
    });
  }
  const json = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`);
  const tail: Array<[string, Buffer]> = [
    ["index.json", json({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: index })],
    ["manifest.json", json(dockerManifest)],
    ["oci-layout", json({ imageLayoutVersion: "1.0.0" })],
  ];
  for (const [name, bytes] of tail) add(name, { bytes, size: bytes.length });
  return { files };
}

export function saveImages(store: Store, names: string[]): Readable {
  const { files } = plan(store, names);
  async function* generate(): AsyncGenerator<Buffer> {
    yield tarHeader("blobs/", 0, { dir: true });
    yield tarHeader("blobs/sha256/", 0, { dir: true });
    for (const f of files) {
      yield tarHeader(f.name, f.size);
      if (f.bytes) yield f.bytes;
      else if (f.layer) {
        for await (const chunk of emitLayer(
          store.layers.diffDir(f.layer),
          store.layers.tarSplitPath(f.layer),
        )) {
          yield chunk as Buffer;
        }
      }
      yield tarPadding(f.size);
    }
    yield TAR_END;
  }
  return Readable.from(generate(), { objectMode: false });
}
