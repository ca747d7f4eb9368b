/**
 * The image service: everything a user does with images, as typed calls.
 */
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { Store } from "../store/index.ts";
import { type HistoryItem, imageHistory } from "./history.ts";
import { type ImportOptions, importImage } from "./import.ts";
import { inspectImage } from "./inspect.ts";
import { type ImageSummary, listImages } from "./list.ts";
import { type LoadedImage, loadImages } from "./load.ts";
import { type FoundImage, familiarRef, findImage } from "./lookup.ts";
import { type PruneResult, pruneImages } from "./prune.ts";
import { type PullOptions, type PullResult, pull } from "./pull.ts";
import { type DeleteRecord, type RemoveOptions, removeImage } from "./remove.ts";
import { saveImages } from "./save.ts";
import { tagImage } from "./tag.ts";
import { type ImageUsers, noUsers } from "./users.ts";

export class ImageService {
  /** Set by the engine once the container service exists. */
  users: ImageUsers = noUsers;

  constructor(
    private readonly store: Store,
    private readonly registry: () => RegistryClient,
  ) {}

  /** Pulls `reference` from its registry into the store (Docker's `pull`). */
  pull(reference: string, opts: PullOptions = {}): Promise<PullResult> {
    return pull(this.store, this.registry(), reference, opts);
  }

  /** Every image, newest first; `sharedSize` adds the shared/unique split of `system df -v`. */
  list(opts: { sharedSize?: boolean; containers?: boolean } = {}): ImageSummary[] {
    return listImages(this.store, {
      sharedSize: opts.sharedSize,
      containerCounts: opts.containers ? this.users.counts() : undefined,
    });
  }

  /** Finds an image by name, full ID or short ID; throws NOT_FOUND (`No such image: x`). */
  get(nameOrId: string): FoundImage {
    return findImage(this.store, nameOrId);
  }

  /** Docker's image inspect document. */
  inspect(nameOrId: string): Record<string, unknown> {
    return inspectImage(this.store, this.get(nameOrId).image);
  }

  history(nameOrId: string): HistoryItem[] {
    const { image } = this.get(nameOrId);
    const tags = this.store.meta
      .refsOf(image.id)
      .filter((r) => r.kind === "tag")
      .map((r) => familiarRef(r.name));
    return imageHistory(this.store, image, tags);
  }

  tag(source: string, target: string): void {
    tagImage(this.store, source, target);
  }

  /** Removes a name or an image (Docker's `rmi`), returning Untagged/Deleted records in order. */
  remove(nameOrId: string, opts: RemoveOptions = {}): Promise<DeleteRecord[]> {
    return removeImage(this.store, this.users, nameOrId, opts);
  }

  prune(opts: { all?: boolean } = {}): Promise<PruneResult> {
    return pruneImages(this.store, this.users, opts);
  }

  /** A root file system tarball (plain, gzip or zstd) as a one-layer image (`import`). Returns the image ID. */
  import(tarball: Readable, opts: ImportOptions = {}): Promise<Digest> {
    return importImage(this.store, tarball, opts);
  }

  /** Images as one tar stream: an OCI layout plus Docker's manifest.json (`save`). */
  save(names: string[]): Readable {
    return saveImages(this.store, names);
  }

  /** Images from a `save` archive, Docker or OCI layout (`load`). */
  load(archive: Readable): Promise<LoadedImage[]> {
    return loadImages(this.store, archive);
  }
}
