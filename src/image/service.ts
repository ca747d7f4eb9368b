/**
 * The image service: everything a user does with images, as typed calls.
 * Heavier paths (pull, inspect, archives, removal) are imported when first
 * used, so `images` does not pay for the registry client or schema checks.
 */

import type { Readable } from "node:stream";
import type { BuildRequest, BuildResult, PruneCacheResult } from "../build/index.ts";
import type { Digest } from "../digest/index.ts";
import type { ImageRecord } from "../metadata/index.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { Store } from "../store/index.ts";
import { recordDeletions, recordImageEvent } from "./event-log.ts";
import type { HistoryItem } from "./history.ts";
import type { ImportOptions } from "./import.ts";
import { type ImageSummary, listImages } from "./list.ts";
import type { LoadedImage } from "./load.ts";
import { type FoundImage, familiarRef, findImage } from "./lookup.ts";
import type { PruneResult } from "./prune.ts";
import type { PullOptions, PullResult } from "./pull.ts";
import type { PushOptions, PushResult } from "./push.ts";
import type { DeleteRecord, RemoveOptions } from "./remove.ts";
import { tagImage } from "./tag.ts";
import { type ImageUsers, noUsers } from "./users.ts";

export class ImageService {
  /** Set by the engine once the container service exists. */
  users: ImageUsers = noUsers;

  constructor(
    private readonly store: Store,
    private readonly registry: () => Promise<RegistryClient>,
  ) {}

  /** Pulls `reference` from its registry into the store (Docker's `pull`). */
  async pull(reference: string, opts: PullOptions = {}): Promise<PullResult> {
    const { pull } = await import("./pull.ts");
    const result = await pull(this.store, await this.registry(), reference, opts);
    const { familiarString, familiarName } = await import("../reference/index.ts");
    recordImageEvent(this.store, "pull", familiarString(result.reference), familiarName(result.reference));
    return result;
  }

  /** Publishes a tag (or with `allTags` every tag of a repository) to its registry (Docker's `push`). */
  async push(reference: string, opts: PushOptions = {}): Promise<PushResult> {
    const { push } = await import("./push.ts");
    const result = await push(this.store, await this.registry(), reference, opts);
    recordImageEvent(this.store, "push", reference);
    return result;
  }

  /** Every image, newest first; `sharedSize` adds the shared/unique split of `system df -v`. */
  list(
    opts: {
      sharedSize?: boolean;
      containers?: boolean;
      records?: ImageRecord[];
      sizes?: Map<string, number>;
    } = {},
  ): ImageSummary[] {
    return listImages(this.store, {
      sharedSize: opts.sharedSize,
      containerCounts: opts.containers ? this.users.counts() : undefined,
      records: opts.records,
      sizes: opts.sizes,
    });
  }

  /** Finds an image by name, full ID or short ID; throws NOT_FOUND (`No such image: x`). */
  get(nameOrId: string): FoundImage {
    return findImage(this.store, nameOrId);
  }

  /** Docker's image inspect document. */
  async inspect(nameOrId: string): Promise<Record<string, unknown>> {
    const { image } = this.get(nameOrId);
    const { inspectImage } = await import("./inspect.ts");
    return inspectImage(this.store, image);
  }

  async history(nameOrId: string): Promise<HistoryItem[]> {
    const { image } = this.get(nameOrId);
    const tags = this.store.meta.images
      .refsOf(image.id)
      .filter((r) => r.kind === "tag")
      .map((r) => familiarRef(r.name));
    const { imageHistory } = await import("./history.ts");
    return imageHistory(this.store, image, tags);
  }

  tag(source: string, target: string): void {
    tagImage(this.store, source, target);
    recordImageEvent(this.store, "tag", this.get(target).image.id, target);
  }

  /** Removes a name or an image (Docker's `rmi`), returning Untagged/Deleted records in order. */
  async remove(nameOrId: string, opts: RemoveOptions = {}): Promise<DeleteRecord[]> {
    const { removeImage } = await import("./remove.ts");
    const records = await removeImage(this.store, this.users, nameOrId, opts);
    recordDeletions(this.store, records);
    return records;
  }

  /** `image prune`: dangling (with `all` unused) images for which `where`, given labels and creation time, holds. */
  async prune(
    opts: {
      all?: boolean;
      where?: (labels: () => Record<string, string>, createdMs: number) => boolean;
    } = {},
  ): Promise<PruneResult> {
    const { pruneImages } = await import("./prune.ts");
    const result = await pruneImages(this.store, this.users, opts);
    recordDeletions(this.store, result.records);
    return result;
  }

  /**
   * Builds an image from a Dockerfile (Docker's `build`): `context` is a
   * directory, a tar stream, or null for none; `dockerfile` the file's text
   * (read from the context when omitted).
   */
  async build(opts: BuildRequest): Promise<BuildResult> {
    const { buildImage } = await import("../build/index.ts");
    return buildImage(this.store, this, opts);
  }

  /** Removes the build cache (`builder prune`) and the layers only it held. */
  async pruneBuildCache(
    opts: {
      all?: boolean;
      where?: (labels: () => Record<string, string>, createdMs: number) => boolean;
    } = {},
  ): Promise<PruneCacheResult> {
    const { pruneBuildCache } = await import("../build/index.ts");
    return pruneBuildCache(this.store, opts);
  }

  /** A root file system tarball (plain, gzip or zstd) as a one-layer image (`import`). Returns the image ID. */
  async import(tarball: Readable, opts: ImportOptions = {}): Promise<Digest> {
    const { importImage } = await import("./import.ts");
    const id = await importImage(this.store, tarball, opts);
    recordImageEvent(this.store, "import", id, opts.reference);
    return id;
  }

  /**
   * `import URL`: the tarball fetched over HTTP(S), as Docker's daemon does;
   * `onDownload` is called once the server answered (Docker's `Downloading from URL`).
   */
  async importUrl(url: string, opts: ImportOptions & { onDownload?: () => void } = {}): Promise<Digest> {
    const { openUrl } = await import("../registry/index.ts");
    const body = await openUrl(url);
    opts.onDownload?.();
    return this.import(body, { source: url, ...opts });
  }

  /** Images as one tar stream: an OCI layout plus Docker's manifest.json (`save`). */
  async save(names: string[]): Promise<Readable> {
    const { saveImages } = await import("./save.ts");
    return saveImages(this.store, names);
  }

  /** Images from a `save` archive, Docker or OCI layout (`load`). */
  async load(archive: Readable): Promise<LoadedImage[]> {
    const { loadImages } = await import("./load.ts");
    const loaded = await loadImages(this.store, archive);
    for (const image of loaded) recordImageEvent(this.store, "load", image.id, image.tags[0]);
    return loaded;
  }
}
