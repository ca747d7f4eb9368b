/**
 * The `--filter` of the prune commands, as moby's daemon reads them for
 * containers, networks and images: `until=` (a timestamp or a duration
 * before now: only what was created before it), `label=KEY[=VALUE]` (all
 * must match) and `label!=KEY[=VALUE]` (none may match). Anything else is
 * refused with the daemon's words.
 */
import { StrataError } from "../errors.ts";
import { parseTimestamp } from "../format/index.ts";

/** Whether a candidate (its labels, its creation time in ms) is to be pruned; labels read only when asked. */
export type PruneWhere = (labels: () => Record<string, string>, createdMs: number) => boolean;

export interface PruneFilters {
  where: PruneWhere;
  /** The label conditions as given (`volume prune` reads these itself). */
  labelArgs: string[];
  hasUntil: boolean;
  /** No filter given: everything is a candidate. */
  empty: boolean;
}

const ACCEPTED = new Set(["label", "label!", "until"]);

/** moby's filters.MatchKVList: every `key` or `key=value` present in `labels`. */
function matchAll(values: string[], labels: Record<string, string>): boolean {
  return values.every((v) => {
    const eq = v.indexOf("=");
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!(key in labels)) return false;
    return eq < 0 || labels[key] === v.slice(eq + 1);
  });
}

export function parsePruneFilters(args: readonly string[], now = Date.now()): PruneFilters {
  const byKey = new Map<string, string[]>();
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 0) throw new StrataError("INVALID_ARGUMENT", `bad format of filter (expected name=value)`);
    const key = arg.slice(0, eq);
    if (!ACCEPTED.has(key)) {
      throw new StrataError("INVALID_ARGUMENT", `invalid filter '${key}'`, { details: { daemon: true } });
    }
    byKey.set(key, [...(byKey.get(key) ?? []), arg.slice(eq + 1)]);
  }
  const untils = byKey.get("until") ?? [];
  if (untils.length > 1) {
    throw new StrataError("INVALID_ARGUMENT", "more than one until filter specified", {
      details: { daemon: true },
    });
  }
  let until: number | undefined;
  if (untils[0] !== undefined) {
    until = parseTimestamp(untils[0], now);
    if (until === undefined) {
      throw new StrataError("INVALID_ARGUMENT", `failed to parse value as time or duration: "${untils[0]}"`, {
        details: { daemon: true },
      });
    }
  }
  const include = byKey.get("label") ?? [];
  const exclude = byKey.get("label!") ?? [];
  const where: PruneWhere = (labels, createdMs) => {
    if (until !== undefined && createdMs > until) return false;
    if (include.length === 0 && exclude.length === 0) return true;
    const l = labels();
    if (!matchAll(include, l)) return false;
    return exclude.length === 0 || !matchAll(exclude, l);
  };
  return {
    where,
    labelArgs: [...include.map((v) => `label=${v}`), ...exclude.map((v) => `label!=${v}`)],
    hasUntil: until !== undefined,
    empty: args.length === 0,
  };
}
