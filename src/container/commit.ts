/**
 * `commit`: a container's writable layer becomes a new image layer on top of
 * its image's layers, with the image config Docker writes (moby
 * daemon/commit.go, image.NewChildImage): the parent's platform, history and
 * diff IDs, `config` and `container_config` from the container's Config, and
 * one history entry whose `created_by` is the container's Cmd. As in Docker,
 * an empty writable layer (its tar is the 1024-byte empty tar) adds no diff ID,
 * only a history entry marked `empty_layer`. The image's layers are shared,
 * never copied: the new layer's parent is the image's top chain ID.
 */
import { existsSync, readdirSync } from "node:fs";
import { tarUpperDir } from "../archive/index.ts";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { rfc3339Nano } from "../format/time.ts";
import { parseConfig } from "../image/config.ts";
import type { ImageService } from "../image/index.ts";
import { ingestLocal } from "../image/ingest.ts";
import { containerConfig } from "../image/inspect.ts";
import { recordImage } from "../image/record.ts";
import { type ContainerRecord, FileLock } from "../metadata/index.ts";
import { hostPlatform } from "../oci/index.ts";
import { parseNormalizedNamed, parseReference, type Reference } from "../reference/index.ts";
import { containerLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";

type Json = Record<string, unknown>;

/** The diff ID of an empty layer: two zero blocks (moby's layer.DigestSHA256EmptyTar). */
export const EMPTY_TAR_DIFF_ID =
  "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef" as Digest;

/** Stops and restarts a running container's processes (the runtime's pause/resume). */
export interface ContainerFreezer {
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
}

export interface CommitOptions {
  /** `REPOSITORY[:TAG]` to tag the new image with (`:latest` when no tag is given). */
  reference?: string;
  /** Docker's `--author`: the config's `author` and the history entry's. */
  author?: string;
  /** Docker's `--message`: the history entry's comment. */
  message?: string;
  /** Docker's `--change`: Dockerfile instructions (CMD, ENV, EXPOSE …) applied to the committed config. */
  changes?: string[];
  /**
   * Docker's `--pause` (default true): a running container is frozen while
   * its layer is read. Takes effect only with a `freezer`; without one a
   * running container is read as it is (a file that changes size mid-read
   * fails the commit with CONFLICT).
   */
  pause?: boolean;
  freezer?: ContainerFreezer;
}

function tagReference(reference: string): Reference {
  if (parseNormalizedNamed(reference).digest) {
    throw new StrataError("INVALID_REFERENCE", "refusing to create a tag with a digest reference");
  }
  return parseReference(reference);
}

/**
 * Docker's container Config as the commit stores it. strata's record keeps
 * the fields `create` sets; what Docker's create also merged in from the
 * image (ports, volumes, stop signal, health check) is taken from the image.
 */
async function committedConfig(c: ContainerRecord, image: Json, changes: string[]): Promise<Json> {
  const own = c.config;
  const base: Json = {
    Hostname: own.Hostname,
    User: own.User,
    ExposedPorts: image.ExposedPorts,
    Tty: own.Tty,
    OpenStdin: own.OpenStdin,
    StdinOnce: own.StdinOnce,
    Env: own.Env,
    Cmd: own.Cmd,
    Healthcheck: image.Healthcheck,
    Image: own.Image,
    Volumes: image.Volumes,
    WorkingDir: own.WorkingDir,
    Entrypoint: own.Entrypoint,
    Labels: own.Labels,
    StopSignal: image.StopSignal,
  };
  if (changes.length === 0) return containerConfig(base);
  // The Dockerfile machinery loads only for commits that carry changes.
  const { applyChanges } = await import("../build/index.ts");
  return containerConfig(applyChanges(base, changes));
}

function checkCommittable(store: Store, c: ContainerRecord, chain: Digest[], upper: string): void {
  if (c.state === "dead") {
    throw new StrataError("CONFLICT", `You cannot commit container ${c.id} which is Dead`);
  }
  if (c.state === "removing") {
    throw new StrataError("CONFLICT", `You cannot commit container ${c.id} which is being removed`);
  }
  for (const chainId of chain) {
    if (!store.meta.layers.get(chainId) || !existsSync(store.layers.diffDir(chainId))) {
      throw new StrataError(
        "STORE_CORRUPT",
        `cannot commit container ${c.id}: layer ${chainId} of its image ${c.imageId} is missing`,
        { details: { container: c.id, image: c.imageId, layer: chainId } },
      );
    }
  }
  if (!existsSync(upper)) {
    throw new StrataError("STORE_CORRUPT", `cannot commit container ${c.id}: its writable layer is missing`, {
      details: { container: c.id, path: upper },
    });
  }
}

/** Archives the writable layer onto `parent`; null when it is empty (Docker adds no layer then). */
async function commitLayer(
  store: Store,
  c: ContainerRecord,
  upper: string,
  parent: Digest | null,
  opts: CommitOptions,
): Promise<{ chainId: Digest; diffId: Digest } | null> {
  // An empty upper is exactly the empty tar: no need to stage a layer only to drop it.
  if (readdirSync(upper).length === 0) return null;
  const freeze = opts.pause !== false && c.state === "running" ? opts.freezer : undefined;
  await freeze?.pause(c.id);
  try {
    // ingestLocal sniffs for gzip/zstd magic; a tar of UTF-8 names never starts with
    // it (0x8b and 0xb5 cannot follow an ASCII byte in UTF-8), so it is read as plain.
    const layer = await ingestLocal(store, tarUpperDir(upper), parent);
    // Only sockets (which tars skip) make an empty tar of a non-empty upper.
    return layer.diffId === EMPTY_TAR_DIFF_ID ? null : layer;
  } finally {
    await freeze?.resume(c.id);
  }
}

/** Commits container `c` as a new image; returns the image ID. */
export async function commitContainer(
  store: Store,
  images: ImageService,
  c: ContainerRecord,
  opts: CommitOptions = {},
): Promise<Digest> {
  const ref = opts.reference ? tagReference(opts.reference) : undefined;
  // Bad changes are refused before the layer is read.
  if (opts.changes?.length) (await import("../build/index.ts")).checkChanges(opts.changes);
  const gcLock = new FileLock(store.gcLockPath);
  await gcLock.acquire("shared");
  try {
    const { image } = images.get(c.imageId);
    const upper = containerLayer(store.root, c.id).upper;
    checkCommittable(store, c, image.chain, upper);
    const parent = parseConfig(store.content.read(image.id)).raw;
    const layer = await commitLayer(store, c, upper, image.chain.at(-1) ?? null, opts);

    const created = rfc3339Nano({ trim: true });
    const own = c.config;
    const history: Json = { created };
    if (opts.author) history.author = opts.author;
    const createdBy = (own.Cmd ?? []).join(" ");
    if (createdBy) history.created_by = createdBy;
    if (opts.message) history.comment = opts.message;
    if (!layer) history.empty_layer = true;

    const config = await committedConfig(
      c,
      (parent.config as Json | null | undefined) ?? {},
      opts.changes ?? [],
    );
    const rootfs = parent.rootfs as { diff_ids: Digest[] };
    const platform = hostPlatform();
    // Top-level keys sorted, as Docker's image.MarshalJSON writes them.
    const doc: Json = { architecture: parent.architecture || platform.architecture };
    if (opts.author) doc.author = opts.author;
    Object.assign(doc, {
      config,
      container: c.id,
      container_config: config,
      created,
      history: [...((parent.history as Json[] | undefined) ?? []), history],
      os: parent.os || platform.os,
    });
    if (parent["os.features"]) doc["os.features"] = parent["os.features"];
    if (parent["os.version"]) doc["os.version"] = parent["os.version"];
    doc.rootfs = { type: "layers", diff_ids: layer ? [...rootfs.diff_ids, layer.diffId] : rootfs.diff_ids };
    if (parent.variant) doc.variant = parent.variant;

    const bytes = Buffer.from(JSON.stringify(doc));
    const imageId = store.content.write(bytes);
    recordImage(store, ref, {
      imageId,
      config: parseConfig(bytes),
      chain: layer ? [...image.chain, layer.chainId] : image.chain,
      manifestDigest: null,
      manifestMediaType: null,
      topDigest: null,
      parent: image.id,
    });
    // Docker's commit tags through TagImageWithReference, which stamps LastTagTime.
    if (ref) store.meta.images.setLastTagTime(imageId, created);
    return imageId;
  } finally {
    gcLock.release();
  }
}
