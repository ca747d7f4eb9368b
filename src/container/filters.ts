/**
 * `ps --filter`: Docker's container filters (daemon/list.go). Values of one
 * key are alternatives (OR); different keys must all match (AND). A status
 * filter lists stopped containers without -a, as Docker's does.
 */
import { StrataError } from "../errors.ts";
import type { ContainerSummary } from "./list.ts";

const STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];
const KEYS = ["id", "name", "status", "exited", "ancestor", "label", "before", "since"] as const;
type Key = (typeof KEYS)[number];

export type ContainerFilters = Map<Key, string[]>;

function invalid(message: string): StrataError {
  // Docker's daemon checks filters: its prefix, exit 1.
  return new StrataError("INVALID_ARGUMENT", message, { details: { exitCode: 1, daemon: true } });
}

/** Parses `key=value` arguments; Docker's wording for unknown keys and bad values. */
export function parseContainerFilters(args: string[]): ContainerFilters {
  const out: ContainerFilters = new Map();
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 0) throw invalid(`bad format of filter (expected name=value)`);
    const key = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    // Docker 20.10's words (api/types/filters and daemon/list.go invalidFilter), capital I.
    if (!(KEYS as readonly string[]).includes(key)) throw invalid(`Invalid filter '${key}'`);
    if (key === "status" && !STATUSES.includes(value)) {
      throw invalid(`Invalid filter 'status=${value}'`);
    }
    if (key === "exited" && !/^-?\d+$/.test(value))
      throw invalid(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
    out.set(key as Key, [...(out.get(key as Key) ?? []), value]);
  }
  return out;
}

export interface FilterContext {
  /** Image IDs an ancestor value names (its ID, or the image a reference names). */
  ancestorIds(value: string): string[];
  /** Creation time of the container a before/since value names. */
  createdOf(value: string): string;
}

function nameMatches(c: ContainerSummary, pattern: string): boolean {
  try {
    const re = new RegExp(pattern);
    return c.names.some((n) => re.test(n) || re.test(`/${n}`));
  } catch {
    return c.names.some((n) => n.includes(pattern));
  }
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf("=");
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

export function matchesFilters(c: ContainerSummary, filters: ContainerFilters, ctx: FilterContext): boolean {
  const any = (key: Key, test: (v: string) => boolean) => {
    const values = filters.get(key);
    return !values || values.some(test);
  };
  return (
    any("id", (v) => c.id.startsWith(v)) &&
    any("name", (v) => nameMatches(c, v)) &&
    any("status", (v) => c.state === v) &&
    any("exited", (v) => c.state === "exited" && c.exitCode === Number(v)) &&
    any("ancestor", (v) => ctx.ancestorIds(v).includes(c.imageId)) &&
    any("label", (v) => labelMatches(c.labels, v)) &&
    any("before", (v) => c.created < ctx.createdOf(v)) &&
    any("since", (v) => c.created > ctx.createdOf(v))
  );
}
