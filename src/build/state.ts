/**
 * A stage's state between steps: the image config being written (as
 * BuildKit's dockerfile2llb keeps it), its layers, and the build-time
 * environment (ENV plus ARG values) RUN and substitution see. Serialised into
 * cache records, so a cached step restores exactly what it produced.
 */
import type { Digest } from "../digest/index.ts";

export type Json = Record<string, unknown>;

export interface HistoryEntry {
  created: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface StageState {
  architecture: string;
  os: string;
  variant?: string;
  author?: string;
  /** The image config's `config` object (Env, Cmd, Entrypoint, WorkingDir …). */
  config: Json;
  history: HistoryEntry[];
  diffIds: Digest[];
  chain: Digest[];
  /** ARGs declared in this stage with their values (undefined: declared, no value). */
  args: { key: string; value?: string }[];
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

export const DEFAULT_PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const HISTORY_COMMENT = "buildkit.dockerfile.v0";

function key(e: string): string {
  const i = e.indexOf("=");
  return i < 0 ? e : e.slice(0, i);
}

export function configEnv(state: StageState): string[] {
  return (state.config.Env as string[] | null | undefined) ?? [];
}

/** What RUN and substitution see: ENV, then ARG values (an ENV of the same name wins, as Docker documents). */
export function buildEnv(state: StageState): string[] {
  const env = configEnv(state);
  const keys = new Set(env.map(key));
  const out = [...env];
  for (const a of state.args) if (a.value !== undefined && !keys.has(a.key)) out.push(`${a.key}=${a.value}`);
  return out;
}

/** Replaces or appends `k=v` in an env list. */
export function setEnv(env: string[], k: string, v: string): string[] {
  const out = env.filter((e) => key(e) !== k);
  const i = env.findIndex((e) => key(e) === k);
  const entry = `${k}=${v}`;
  if (i < 0) return [...out, entry];
  const copy = [...env];
  copy[i] = entry;
  return copy;
}

/** Go's %q of one string (strconv.Quote), for history lines Docker writes with %q. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %q of a []string: `["a" "b"]`. */
export function goQuoteList(list: string[]): string {
  return `[${list.map(goQuote).join(" ")}]`;
}

export function cloneState(s: StageState): StageState {
  return JSON.parse(JSON.stringify(s)) as StageState;
}

/** RFC 3339 with nanoseconds as Go writes it, UTC; `epoch` (seconds) for SOURCE_DATE_EPOCH. */
export function buildTime(epoch?: number): string {
  if (epoch !== undefined) return new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const iso = new Date().toISOString();
  const sub = String(process.hrtime.bigint() % 1_000_000n).padStart(6, "0");
  const frac = `${iso.slice(20, 23)}${sub}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}
