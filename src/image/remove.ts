/**
 * `rmi`, with the rules of Docker's graphdriver store (moby
 * daemon/images/image_delete.go): removing a name only untags while other
 * names remain; an image a container uses is protected; deleting an image
 * frees exactly the layers nothing else uses, reported top layer first.
 */
import { type Digest, hexOf, shortHex } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { collectCandidates, type Doomed, removeDoomed, withGcLock } from "../gc/index.ts";
import type { ImageRecord, RefRecord } from "../metadata/index.ts";
import { parseReference, referenceString } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import { familiarRef, findImage } from "./lookup.ts";
import type { ImageUsers } from "./users.ts";

export type DeleteRecord = { untagged: string } | { deleted: Digest };

export interface RemoveOptions {
  force?: boolean;
  /** Also delete untagged parent images nothing else needs (Docker's default; `--no-prune` is false). */
  prune?: boolean;
}

function conflict(message: string): StrataError {
  return new StrataError("CONFLICT", `conflict: ${message}`);
}

/** Docker's isSingleReference: at most one tag, and every digest ref in that tag's repository. */
function isSingleReference(refs: RefRecord[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => r.kind === "tag");
  if (tags.length > 1) return false;
  const digestRepos = new Set(refs.filter((r) => r.kind === "digest").map((r) => r.repo));
  const single = tags[0] ?? refs[0];
  return digestRepos.size === 1 && digestRepos.has(single.repo);
}

function isIdPrefix(id: Digest, input: string): boolean {
  return id.startsWith(input) || hexOf(id).startsWith(input);
}

/**
 * Removes a name or an image. The decision, the removal of the records and
 * of the layer records nothing holds any more are one transaction under the
 * exclusive GC lock, and the files go before the lock is released: a create
 * racing this either recorded its container first (a conflict here) or
 * finds the image gone.
 */
export async function removeImage(
  store: Store,
  users: ImageUsers,
  input: string,
  opts: RemoveOptions = {},
): Promise<DeleteRecord[]> {
  const out = await withGcLock(store, async () => {
    const { records, doomed } = store.meta.transaction(() => removeRecords(store, users, input, opts));
    for (const d of doomed) await removeDoomed(store, d);
    return records;
  });
  return out ?? [];
}

/** The records' part of `removeImage`; the caller runs it in one transaction. */
function removeRecords(store: Store, users: ImageUsers, input: string, opts: RemoveOptions) {
  const force = opts.force ?? false;
  const { meta } = store;
  const { image } = findImage(store, input);
  const short = shortHex(image.id);
  const records: DeleteRecord[] = [];
  const untag = (ref: RefRecord) => {
    meta.images.deleteRef(ref.name);
    records.push({ untagged: familiarRef(ref.name) });
  };
  const keep = { records, doomed: [] };

  let refs = meta.images.refsOf(image.id);
  if (!isIdPrefix(image.id, input)) {
    const name = referenceString(parseReference(input));
    if (!force && isSingleReference(refs)) {
      const user = users.usersOf(image.id)[0];
      if (user) {
        throw conflict(
          `unable to remove repository reference "${input}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${short}`,
        );
      }
    }
    const named = refs.find((r) => r.name === name);
    if (named) untag(named);
    refs = meta.images.refsOf(image.id);
    if (named?.kind === "tag" && !refs.some((r) => r.kind === "tag" && r.repo === named.repo)) {
      for (const r of refs.filter((x) => x.kind === "digest" && x.repo === named.repo)) untag(r);
      refs = meta.images.refsOf(image.id);
    }
    // Other names remain: untagging was the whole job.
    if (refs.length > 0) return keep;
    // The last name is gone; delete quietly, keeping the image if something still uses or builds on it.
    if (users.usersOf(image.id).length > 0 || meta.parents.childrenOf(image.id).length > 0) return keep;
  } else {
    if (meta.parents.childrenOf(image.id).length > 0) {
      throw conflict(`unable to delete ${short} (cannot be forced) - image has dependent child images`);
    }
    checkConflicts(users, image.id, short, force, refs);
  }
  const doomed: Doomed[] = [];
  let next: ImageRecord | undefined = image;
  while (next) {
    const parent = deleteImageRecords(store, next, records, untag, doomed);
    // Docker's prune: the parent goes too once nothing names, uses or builds on it.
    next = opts.prune === false || !parent ? undefined : prunableParent(store, users, parent);
  }
  return { records, doomed };
}

/**
 * Deletes the image's records (names, parent link) and those of the layers
 * only it held, noting what it freed; returns its parent. Inside the
 * removal's transaction.
 */
function deleteImageRecords(
  store: Store,
  image: ImageRecord,
  records: DeleteRecord[],
  untag: (ref: RefRecord) => void,
  doomed: Doomed[],
): Digest | undefined {
  const { meta } = store;
  for (const r of meta.images.refsOf(image.id)) untag(r);
  const parent = meta.parents.parentOf(image.id);
  meta.parents.delete(image.id);
  meta.images.delete(image.id);
  records.push({ deleted: image.id });
  const blobs = [image.id, image.manifestDigest, image.indexDigest].filter((d): d is Digest => !!d);
  const freed = collectCandidates(store, { layers: image.chain, blobs });
  doomed.push(freed);
  const freedLayers = new Set<string>(freed.layers.map((l) => l.chainId));
  for (const chainId of [...image.chain].reverse()) {
    if (!freedLayers.has(chainId)) break;
    records.push({ deleted: chainId });
  }
  return parent;
}

/** The parent image when it has no name, no container and no other child left. */
function prunableParent(store: Store, users: ImageUsers, id: Digest): ImageRecord | undefined {
  const parent = store.meta.images.get(id);
  if (!parent) return undefined;
  if (store.meta.images.refsOf(id).length > 0) return undefined;
  if (store.meta.parents.childrenOf(id).length > 0) return undefined;
  if (users.usersOf(id).length > 0) return undefined;
  return parent;
}

/** Deleting by ID: running containers always block; stopped ones and other names unless forced. */
function checkConflicts(
  users: ImageUsers,
  id: Digest,
  short: string,
  force: boolean,
  refs: RefRecord[],
): void {
  const using = users.usersOf(id);
  const running = using.find((u) => u.running);
  if (running) {
    throw conflict(
      `unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`,
    );
  }
  if (force) return;
  if (refs.length > 0 && !isSingleReference(refs)) {
    throw conflict(
      `unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
    );
  }
  const stopped = using[0];
  if (stopped) {
    throw conflict(
      `unable to delete ${short} (must be forced) - image is being used by stopped container ${stopped.id.slice(0, 12)}`,
    );
  }
}
