/**
 * Storing one unpacked layer: staged under tmp/, committed under its chain ID
 * with one rename and one row. Pulls lock the chain before downloading (so
 * two pulls fetch a layer once); local sources (import, load) unpack first,
 * since their diff ID is known only then.
 */
import { createHash } from "node:crypto";
import { renameSync, rmdirSync } from "node:fs";
import type { Readable } from "node:stream";
import {
  applyLayer,
  sniffCompression,
  TarSplitWriter,
  type UpperTarOptions,
  writeUpperTar,
} from "../archive/index.ts";
import { type Digest, sha256Digest } from "../digest/index.ts";
import { type LayerRecord, withLock } from "../metadata/index.ts";
import { newLinkId, type StagedLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";

/** A layer's record, less what committing it adds (its link and time). */
export type LayerFacts = Omit<LayerRecord, "link" | "createdAt">;

/** Moves a staged layer into place and records it. The caller holds the chain's lock. */
export async function commitLayer(store: Store, staged: StagedLayer, facts: LayerFacts): Promise<void> {
  const link = newLinkId();
  await store.layers.commit(staged, facts.chainId, link);
  store.meta.layers.put({ ...facts, link, createdAt: Date.now() });
}

/** Unpacks a local tar (plain, gzip or zstd) on top of `parent`; returns its chain and diff IDs and size. */
export async function ingestLocal(
  store: Store,
  input: Readable,
  parent: Digest | null,
  expectedDiffId?: Digest,
): Promise<{ chainId: Digest; diffId: Digest; size: number }> {
  const { compression, stream } = await sniffCompression(input);
  const staged = store.layers.stage();
  try {
    const result = await applyLayer(stream, staged.diffDir, {
      compression,
      expectedDiffId,
      tarSplitPath: staged.tarSplitPath,
    });
    const chainId = parent ? sha256Digest(`${parent} ${result.diffId}`) : result.diffId;
    await withLock(store.layerLockPath(chainId), "exclusive", async () => {
      if (store.meta.layers.get(chainId)) return store.layers.discard(staged);
      await commitLayer(store, staged, {
        chainId,
        diffId: result.diffId,
        parent,
        size: result.size,
        compressedDigest: compression === "none" ? null : result.digest,
        compressedSize: compression === "none" ? null : result.compressedSize,
        mediaType: null,
      });
    });
    return { chainId, diffId: result.diffId, size: result.size };
  } catch (err) {
    await store.layers.discard(staged);
    throw err;
  }
}

/**
 * An overlay upper directory (already in the store's overlay form: 0/0
 * character-device whiteouts, opaque xattrs) becomes a layer as it is, moved
 * into staging with one rename, as Docker's overlay2 keeps a committed upper:
 * its tar (the same bytes `tarUpperDir` streams, so the same diff ID) is only
 * hashed and recorded as a tar-split, never unpacked again. `upper` must be
 * on the store's file system and no longer mounted; it is gone afterwards.
 */
export async function ingestUpper(
  store: Store,
  upper: string,
  parent: Digest | null,
  opts: Omit<UpperTarOptions, "onFile"> = {},
): Promise<{ chainId: Digest; diffId: Digest; size: number }> {
  const staged = store.layers.stage();
  try {
    rmdirSync(staged.diffDir);
    renameSync(upper, staged.diffDir);
    const split = new TarSplitWriter(staged.tarSplitPath);
    const hash = createHash("sha256");
    let body = 0;
    const onFile = (name: string, size: number) => {
      split.file(name, size);
      body = size;
    };
    let size: number;
    try {
      const write = (chunk: Buffer) => {
        hash.update(chunk);
        // A file's body chunks add up to its size exactly; its padding is a chunk of its own.
        if (body > 0) body -= chunk.length;
        else split.raw(chunk);
      };
      ({ size } = await writeUpperTar(staged.diffDir, write, { ...opts, onFile }));
    } finally {
      await split.close();
    }
    const diffId = `sha256:${hash.digest("hex")}` as Digest;
    const chainId = parent ? sha256Digest(`${parent} ${diffId}`) : diffId;
    await withLock(store.layerLockPath(chainId), "exclusive", async () => {
      if (store.meta.layers.get(chainId)) return store.layers.discard(staged);
      await commitLayer(store, staged, {
        chainId,
        diffId,
        parent,
        size,
        compressedDigest: null,
        compressedSize: null,
        mediaType: null,
      });
    });
    return { chainId, diffId, size };
  } catch (err) {
    await store.layers.discard(staged);
    throw err;
  }
}
