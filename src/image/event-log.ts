/** Docker's image events (pull, tag, untag, delete), recorded in the store as strata acts. */
import type { Store } from "../store/index.ts";
import type { DeleteRecord } from "./remove.ts";

export function recordImageEvent(store: Store, action: string, actorId: string, name?: string): void {
  store.meta.events.record({ type: "image", action, actorId, attributes: name ? { name } : {} });
}

/** `untag` and `delete` events for what a removal or prune did, in its order. */
export function recordDeletions(store: Store, records: DeleteRecord[]): void {
  for (const r of records) {
    if ("untagged" in r) recordImageEvent(store, "untag", r.untagged, r.untagged);
    else recordImageEvent(store, "delete", r.deleted);
  }
}
