/**
 * Docker's --since/--until values (api/types/time GetTimestamp): a Go
 * duration before now (`10m`, `1h30m`, `42s`), Unix seconds with an optional
 * fraction, or an RFC 3339 date or time (local time when no zone is given).
 * Returns milliseconds since the epoch, or undefined when the value is none
 * of those.
 */
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

function goDuration(value: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    at = re.lastIndex;
  }
  return at === value.length && at > 0 ? total : undefined;
}

export function parseTimestamp(value: string, now = Date.now()): number | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const ago = goDuration(v);
  if (ago !== undefined) return now - ago;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^\d{4}-\d\d-\d\d$/.test(v)) return new Date(`${v}T00:00:00`).getTime();
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.test(v)) {
    const t = new Date(v).getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
