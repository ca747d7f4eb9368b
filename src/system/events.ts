/**
 * Reading back what strata did (the events table) as Docker's event
 * messages: `--since`/`--until` as Docker parses them (Unix seconds, a Go
 * duration back from now, or a date), Docker's filters, and following the
 * table for new events until `until` passes or the caller stops.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { StrataError } from "../errors.ts";
import type { EventRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export interface EngineEvent {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  time: number;
  timeNano: number;
}

export interface EventsOptions {
  /** Docker's --since / --until: Unix seconds, a duration back from now (`10m`), or a date. */
  since?: string;
  until?: string;
  /** `key=value` (type, event, container, image, network, volume, label). */
  filters?: string[];
  signal?: AbortSignal;
  /** How often the table is read for new events while following (ms). */
  pollMs?: number;
}

const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds since the epoch for Docker's timestamp forms (daemon/events: GetTimestamp). */
export function parseTimestamp(value: string, now = Date.now() / 1000): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parts = value.match(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g);
  if (parts && parts.join("") === value) {
    let seconds = 0;
    for (const p of parts) {
      const [, n, unit] = /(\d+(?:\.\d+)?)(.+)/.exec(p) as RegExpExecArray;
      seconds += Number(n) * (UNITS[unit as string] ?? 0);
    }
    return now - seconds;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new StrataError("INVALID_ARGUMENT", `failed to parse value as time or duration: "${value}"`);
  }
  return t / 1000;
}

const KEYS = ["type", "event", "container", "image", "network", "volume", "label"] as const;

/** An event of `type` whose actor's ID starts with `v` or is named `v` (a volume's ID is its name). */
const named = (e: EngineEvent, type: string, v: string) =>
  e.Type === type && (e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v);

function matcher(filters: string[]): (e: EngineEvent) => boolean {
  const by = new Map<string, string[]>();
  for (const f of filters) {
    const eq = f.indexOf("=");
    const key = eq < 0 ? f : f.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(key))
      throw new StrataError("INVALID_ARGUMENT", `invalid filter '${key}'`);
    by.set(key, [...(by.get(key) ?? []), eq < 0 ? "" : f.slice(eq + 1)]);
  }
  const any = (key: string, test: (v: string) => boolean) => {
    const values = by.get(key);
    return !values || values.some(test);
  };
  return (e) =>
    any("type", (v) => e.Type === v) &&
    any("event", (v) => e.Action === v) &&
    any("container", (v) => named(e, "container", v)) &&
    any("network", (v) => named(e, "network", v)) &&
    any("volume", (v) => named(e, "volume", v)) &&
    any(
      "image",
      (v) =>
        e.Actor.Attributes.image === v ||
        (e.Type === "image" && (e.Actor.ID === v || e.Actor.Attributes.name === v)),
    ) &&
    any("label", (v) => {
      const eq = v.indexOf("=");
      return eq < 0 ? v in e.Actor.Attributes : e.Actor.Attributes[v.slice(0, eq)] === v.slice(eq + 1);
    });
}

export function toEngineEvent(r: EventRecord): EngineEvent {
  const out: EngineEvent = {
    Type: r.type,
    Action: r.action,
    Actor: { ID: r.actorId, Attributes: r.attributes },
    scope: "local",
    time: r.time,
    timeNano: r.time * 1e9 + r.nanos,
  };
  // The pre-1.22 fields Docker still sends for containers and images.
  if (r.type === "container" || r.type === "image") {
    const legacy: Partial<EngineEvent> = { status: r.action, id: r.actorId };
    if (r.type === "container" && r.attributes.image) legacy.from = r.attributes.image;
    return { ...legacy, ...out };
  }
  return out;
}

/**
 * Past events from `since`, then (without `until`, or with one still ahead)
 * new ones as they are recorded, until `until` passes or `signal` aborts.
 * The arguments are checked at the call, before the first event is read.
 */
export function readEvents(store: Store, opts: EventsOptions = {}): AsyncGenerator<EngineEvent> {
  const now = Date.now() / 1000;
  const since = opts.since ? parseTimestamp(opts.since, now) : undefined;
  const until = opts.until ? parseTimestamp(opts.until, now) : undefined;
  const match = matcher(opts.filters ?? []);
  // Without --since only what happens from now on, as Docker.
  const start = since === undefined ? store.meta.events.lastId() : 0;
  return follow(store, start, { since, until, match, signal: opts.signal, pollMs: opts.pollMs ?? 200 });
}

async function* follow(
  store: Store,
  start: number,
  o: {
    since?: number;
    until?: number;
    match: (e: EngineEvent) => boolean;
    signal?: AbortSignal;
    pollMs: number;
  },
): AsyncGenerator<EngineEvent> {
  let last = start;
  for (;;) {
    for (const r of store.meta.events.after(last)) {
      last = r.id;
      const at = r.time + r.nanos / 1e9;
      if (o.since !== undefined && at < o.since) continue;
      if (o.until !== undefined && at > o.until) return;
      const e = toEngineEvent(r);
      if (o.match(e)) yield e;
    }
    if (o.signal?.aborted) return;
    if (o.until !== undefined && Date.now() / 1000 > o.until) return;
    await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => {});
  }
}
