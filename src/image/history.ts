/**
 * `history`: one row per config history entry, newest first, each non-empty
 * entry matched in order to a layer and given that layer's stored size.
 */
import type { ImageRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { parseConfig } from "./config.ts";

export interface HistoryItem {
  /** The image ID on the top row; `<missing>` below (no local parent images). */
  id: string;
  created: string | null;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

export function imageHistory(store: Store, image: ImageRecord, tags: string[]): HistoryItem[] {
  const config = parseConfig(store.content.read(image.id));
  let layer = 0;
  const rows = config.history.map((h) => {
    const chainId = h.empty_layer ? undefined : image.chain[layer++];
    const size = chainId ? (store.meta.layers.get(chainId)?.size ?? 0) : 0;
    return {
      id: "<missing>",
      created: h.created ?? null,
      createdBy: h.created_by ?? "",
      size,
      comment: h.comment ?? "",
      tags: [] as string[],
    };
  });
  rows.reverse();
  if (rows.length > 0) {
    rows[0].id = image.id;
    rows[0].tags = tags;
  }
  return rows;
}
