/**
 * The parts of an image config the engine relies on, checked once at the door:
 * a config that does not parse, or whose diff IDs are not digests, is refused
 * before anything is downloaded.
 */
import { type Digest, parseDigest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  author?: string;
  empty_layer?: boolean;
}

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

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function parseConfig(bytes: Buffer): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (cause) {
    throw new StrataError("INVALID_CONFIG", "image config is not valid JSON", { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new StrataError("INVALID_CONFIG", "image config is not a JSON object");
  }
  const doc = raw as Record<string, unknown>;
  const rootfs = doc.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (!rootfs || rootfs.type !== "layers" || !Array.isArray(rootfs.diff_ids)) {
    throw new StrataError("INVALID_CONFIG", 'image config has no rootfs of type "layers" with diff_ids');
  }
  let diffIds: Digest[];
  try {
    diffIds = rootfs.diff_ids.map((d) => parseDigest(String(d)));
  } catch (cause) {
    throw new StrataError("INVALID_CONFIG", "image config has an invalid diff ID", { cause });
  }
  const history = Array.isArray(doc.history) ? (doc.history as HistoryEntry[]) : [];
  const nonEmpty = history.filter((h) => !h?.empty_layer).length;
  if (history.length > 0 && nonEmpty > diffIds.length) {
    throw new StrataError("INVALID_CONFIG", "too many non-empty layers in History section");
  }
  return {
    diffIds,
    created: str(doc.created),
    os: str(doc.os),
    architecture: str(doc.architecture),
    variant: str(doc.variant),
    history,
    raw: doc,
  };
}
