/**
 * `image prune`: dangling images (no tags), or with `all` every image no
 * container uses. Each is removed by name, without force; conflicts are
 * skipped, as Docker does.
 */
import type { Digest } from "../digest/index.ts";
import { isStrataError } from "../errors.ts";
import type { Store } from "../store/index.ts";
import { parseConfig } from "./config.ts";
import { type DeleteRecord, removeImage } from "./remove.ts";
import type { ImageUsers } from "./users.ts";

export interface PruneResult {
  records: DeleteRecord[];
  spaceReclaimed: number;
}

/** The labels of an image's config, read only when a prune filter asks for them. */
function imageLabels(store: Store, id: Digest): Record<string, string> {
  const config = parseConfig(store.content.read(id)).raw.config as
    | { Labels?: Record<string, string> }
    | undefined;
  return config?.Labels ?? {};
}

export async function pruneImages(
  store: Store,
  users: ImageUsers,
  opts: { all?: boolean; where?: (labels: () => Record<string, string>, createdMs: number) => boolean },
): Promise<PruneResult> {
  const result: PruneResult = { records: [], spaceReclaimed: 0 };
  const sizes = store.meta.layers.sizes();
  for (const image of store.meta.images.list()) {
    const refs = store.meta.images.refsOf(image.id);
    const dangling = !refs.some((r) => r.kind === "tag");
    if (!dangling && !opts.all) continue;
    if (users.usersOf(image.id).length > 0) continue;
    if (opts.where && !opts.where(() => imageLabels(store, image.id), Date.parse(image.created ?? "") || 0))
      continue;
    const names = refs.length > 0 ? refs.map((r) => r.name) : [image.id];
    for (const name of names) {
      try {
        const records = await removeImage(store, users, name);
        result.records.push(...records);
        for (const r of records) if ("deleted" in r) result.spaceReclaimed += sizes.get(r.deleted) ?? 0;
      } catch (err) {
        if (!isStrataError(err, "CONFLICT") && !isStrataError(err, "NOT_FOUND")) throw err;
      }
    }
  }
  return result;
}
