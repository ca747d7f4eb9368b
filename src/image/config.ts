/**
 * The parts of an image config the engine relies on, checked once at the door
 * (by src/oci's schema): a config that does not parse, or whose diff IDs are
 * not digests, is refused before anything is downloaded.
 */
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { type HistoryEntry, parseImageConfig } from "../oci/index.ts";

export type { HistoryEntry };

export interface ParsedConfig {
  diffIds: Digest[];
  created: string | null;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  history: HistoryEntry[];
  /** The whole document, for inspect. */
  raw: Record<string, unknown>;
}

export function parseConfig(bytes: Buffer): ParsedConfig {
  const config = parseImageConfig(bytes);
  const history = config.history ?? [];
  const diffIds = config.rootfs.diff_ids as Digest[];
  if (history.filter((h) => !h.empty_layer).length > diffIds.length) {
    throw new StrataError("INVALID_CONFIG", "too many non-empty layers in History section");
  }
  return {
    diffIds,
    created: config.created ?? null,
    os: config.os,
    architecture: config.architecture,
    variant: config.variant ?? null,
    history,
    raw: config as Record<string, unknown>,
  };
}
