/**
 * `network ls --filter` and `network prune --filter` (moby
 * daemon/network/filter.go and prune's label/until): keys, values and
 * Docker's messages for bad ones.
 */
import { StrataError } from "../errors.ts";
import type { NetworkRecord } from "../metadata/index.ts";
import { PREDEFINED } from "./registry.ts";

const LIST_KEYS = ["driver", "id", "label", "name", "scope", "type", "dangling"];
const PRUNE_KEYS = ["label", "label!", "until"];

export type NetworkFilters = Map<string, string[]>;

const invalid = (message: string) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });

export function parseNetworkFilters(args: string[], prune = false): NetworkFilters {
  const keys = prune ? PRUNE_KEYS : LIST_KEYS;
  const out: NetworkFilters = new Map();
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 0) throw invalid("bad format of filter (expected name=value)");
    const key = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    if (!keys.includes(key)) throw invalid(`invalid filter '${key}'`);
    if (key === "type" && value !== "custom" && value !== "builtin") {
      throw invalid(`invalid filter: 'type'='${value}'`);
    }
    if (key === "dangling" && !["true", "false", "1", "0"].includes(value.toLowerCase())) {
      throw invalid(`invalid filter 'dangling=${value}'`);
    }
    if (key === "until" && untilTime(value) === null) {
      throw invalid(`failed to parse value as time or duration: "${value}"`);
    }
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** `until`: a Unix time, an RFC 3339 date, or a duration before now (`10m`, `1h30m`). */
function untilTime(value: string): number | null {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join("") === value) {
    return Date.now() - parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** Docker's filter.Match: the value as a regular expression, or else as a substring. */
function matches(text: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return text.includes(pattern);
  }
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf("=");
  const key = eq < 0 ? want : want.slice(0, eq);
  return key in labels && (eq < 0 || labels[key] === want.slice(eq + 1));
}

/** Values of one key are alternatives; every key must match. `active`: a running container uses it. */
export function matchesNetworkFilters(n: NetworkRecord, filters: NetworkFilters, active: boolean): boolean {
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters.get(key);
    return !values || values.some(test);
  };
  const builtin = PREDEFINED.has(n.name);
  return (
    any("driver", (d) => n.driver === d) &&
    any("id", (i) => matches(n.id, i)) &&
    any("name", (x) => matches(n.name, x)) &&
    any("label", (l) => labelMatches(n.labels, l)) &&
    !(filters.get("label!") ?? []).some((l) => labelMatches(n.labels, l)) &&
    any("scope", (s) => s === "local") &&
    any("type", (t) => (t === "builtin") === builtin) &&
    // Docker's dangling networks are user networks no container is attached to.
    any("dangling", (d) =>
      ["true", "1"].includes(d.toLowerCase()) ? !builtin && !active : builtin || active,
    ) &&
    any("until", (u) => Date.parse(n.createdAt) < (untilTime(u) as number))
  );
}
