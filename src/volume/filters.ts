/** `volume ls --filter` / `volume prune --filter` (moby volume/service/convert.go). */
import { StrataError } from "../errors.ts";
import type { VolumeRecord } from "../metadata/index.ts";

const LIST_KEYS = ["dangling", "name", "label", "driver"];

export type VolumeFilters = Map<string, string[]>;

function invalid(message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });
}

export function parseVolumeFilters(args: string[], keys = LIST_KEYS): VolumeFilters {
  const out: VolumeFilters = new Map();
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 0) throw invalid("bad format of filter (expected name=value)");
    const key = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    if (!keys.includes(key)) throw invalid(`Invalid filter '${key}'`);
    if (key === "dangling" && !["true", "false", "1", "0"].includes(value.toLowerCase())) {
      throw invalid(`Invalid filter 'dangling=${value}'`);
    }
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

function labelMatches(labels: Record<string, string> | null, want: string): boolean {
  const eq = want.indexOf("=");
  const key = eq < 0 ? want : want.slice(0, eq);
  if (!labels || !(key in labels)) return false;
  return eq < 0 || labels[key] === want.slice(eq + 1);
}

/** Values of one key are alternatives; all keys must match. `links`: containers using the volume. */
export function matchesVolumeFilters(v: VolumeRecord, filters: VolumeFilters, links: number): boolean {
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters.get(key);
    return !values || values.some(test);
  };
  const notAny = (key: string, test: (value: string) => boolean) => {
    const values = filters.get(key);
    return !values?.some(test);
  };
  return (
    any("dangling", (d) => (["true", "1"].includes(d.toLowerCase()) ? links === 0 : links > 0)) &&
    any("name", (n) => v.name.includes(n)) &&
    any("driver", (d) => v.driver === d) &&
    any("label", (l) => labelMatches(v.labels, l)) &&
    notAny("label!", (l) => labelMatches(v.labels, l))
  );
}
