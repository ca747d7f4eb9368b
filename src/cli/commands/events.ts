/**
 * `events`: what strata did, read back from the store (there is no daemon to
 * ask), printed as Docker's CLI prints events: `<time> <type> <action> <id>
 * (attr=value, …)`, or through --format. Without --until it follows new
 * events until interrupted, as Docker's does.
 */
import { parseFormat } from "../../format/index.ts";
import type { EngineEvent } from "../../system/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface EventsFlags {
  since?: string;
  until?: string;
  filter?: string[];
  format?: string;
}

/** Go's RFC3339NanoFixed in local time, as jsonmessage prints event times. */
export function eventTime(timeNano: number, time: number): string {
  const d = new Date(time * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000);
  const nanos = String(Math.max(0, Math.round(timeNano - time * 1e9)))
    .padStart(9, "0")
    .slice(0, 9);
  const zone =
    off === 0
      ? "Z"
      : `${off > 0 ? "+" : "-"}${String(Math.floor(Math.abs(off) / 60)).padStart(2, "0")}:${String(Math.abs(off) % 60).padStart(2, "0")}`;
  return `${local.toISOString().slice(0, 19)}.${nanos}${zone}`;
}

export function eventLine(e: EngineEvent): string {
  const attrs = Object.keys(e.Actor.Attributes)
    .sort()
    .map((k) => `${k}=${e.Actor.Attributes[k]}`);
  return `${eventTime(e.timeNano, e.time)} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length > 0 ? ` (${attrs.join(", ")})` : ""}\n`;
}

export async function run(ctx: CommandContext, flags: EventsFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const template = flags.format ? parseFormat(flags.format).template : undefined;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const events = await engine.system.events({
    since: flags.since,
    until: flags.until,
    filters: flags.filter,
    signal: abort.signal,
  });
  for await (const e of events) ctx.io.out(template ? `${template.execute(e)}\n` : eventLine(e));
  return ok;
}
