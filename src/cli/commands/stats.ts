/**
 * `stats [-a] [--no-stream] [--no-trunc] [--format] [CONTAINER...]`: docker/cli
 * 28's table of resource use. With `--no-stream` one sample per container
 * (each carrying the CPU figures of one a second before), printed once;
 * otherwise every container streams its samples and the table is redrawn
 * every 500 ms over the previous one (cursor home, erase to end of line and
 * of screen). Without names, the running (with -a all) containers, looked up
 * again each second so new ones appear and ended ones go, as Docker's event
 * watching does. The stream ends with the process (Ctrl-C), as Docker's does.
 */
import { type StatsSummary, summarizeStats } from "../../engine.ts";
import { bytesSize, humanSizeWithPrecision, truncateId } from "../../format/index.ts";
import type { CommandContext, CommandResult } from "../context.ts";
import { renderError } from "../errors.ts";
import { renderItems } from "../render.ts";

export interface StatsFlags {
  all?: boolean;
  noStream?: boolean;
  trunc?: boolean;
  format?: string;
}

const DEFAULT_FORMAT =
  "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

const HEADERS = {
  Container: "CONTAINER",
  Name: "NAME",
  ID: "CONTAINER ID",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
};

/** One container's entry: its last summary, or null when its stats failed ("--" everywhere, as Docker's IsInvalid). */
interface Entry {
  container: string;
  summary: StatsSummary | null;
  id: string;
  name: string;
}

const percent = (v: number) => `${v.toFixed(2)}%`;

/** docker/cli's statsContext fields, as strings. */
function row(e: Entry, trunc: boolean): Record<string, string> {
  const s = e.summary;
  const id = s?.id ?? e.id;
  return {
    Container: e.container,
    Name: (s?.name ?? e.name) || "--",
    ID: trunc ? truncateId(id) : id,
    CPUPerc: s ? percent(s.cpuPercent) : "--",
    MemUsage: s ? `${bytesSize(s.memoryUsage)} / ${bytesSize(s.memoryLimit)}` : "-- / --",
    MemPerc: s ? percent(s.memoryPercent) : "--",
    NetIO: s ? `${humanSizeWithPrecision(s.networkRx, 3)} / ${humanSizeWithPrecision(s.networkTx, 3)}` : "--",
    BlockIO: s
      ? `${humanSizeWithPrecision(s.blockRead, 3)} / ${humanSizeWithPrecision(s.blockWrite, 3)}`
      : "--",
    PIDs: s ? String(s.pids) : "--",
  };
}

function render(entries: Entry[], flags: StatsFlags): string {
  const format = !flags.format || flags.format === "table" ? DEFAULT_FORMAT : flags.format;
  return renderItems(
    format,
    entries.map((e) => row(e, flags.trunc !== false)),
    HEADERS,
  );
}

/** The containers `stats` shows when none are named: running ones (all with -a), newest first. */
async function listed(ctx: CommandContext, all: boolean): Promise<string[]> {
  const engine = await ctx.engine();
  return (await engine.containers.list({ all })).map((c) => c.id);
}

async function once(ctx: CommandContext, names: string[], flags: StatsFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const showAll = names.length === 0;
  const targets = showAll ? await listed(ctx, flags.all === true) : names;
  const results = await Promise.allSettled(targets.map((t) => engine.containers.stats(t)));
  const errors = results.flatMap((r) => (r.status === "rejected" ? [renderError(r.reason).message] : []));
  // Named containers: any failure is the command's error (docker/cli joins them, one per line).
  if (!showAll && errors.length > 0) {
    ctx.io.err(`${errors.join("\n")}\n`);
    return { exitCode: 1 };
  }
  const entries = results.map((r, i): Entry => {
    const container = targets[i] as string;
    if (r.status === "rejected") return { container, summary: null, id: "", name: "" };
    return { container, summary: summarizeStats(r.value), id: r.value.id, name: r.value.name };
  });
  ctx.io.out(render(entries, flags));
  return { exitCode: 0 };
}

/** Redraws in place: each line ends by erasing what a longer previous frame left. */
function frame(table: string): string {
  const lines = table.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return `\x1b[H${lines.map((l) => `${l}\x1b[K\n`).join("")}\x1b[J`;
}

async function stream(ctx: CommandContext, names: string[], flags: StatsFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const showAll = names.length === 0;
  const entries = new Map<string, Entry>();
  /** Streams one container's samples into its entry; resolves at its first sample (or its end). */
  const follow = (container: string): Promise<void> => {
    if (entries.has(container)) return Promise.resolve();
    const entry: Entry = { container, summary: null, id: "", name: "" };
    entries.set(container, entry);
    return new Promise((first) => {
      void (async () => {
        try {
          for await (const v of engine.containers.statsStream(container)) {
            Object.assign(entry, { summary: summarizeStats(v), id: v.id, name: v.name });
            first();
          }
        } catch {
          // A container removed under the stream: its entry shows "--".
        }
        entry.summary = null;
        first();
      })();
    });
  };
  if (!showAll) {
    // Docker checks every named container before it draws anything.
    const missing: string[] = [];
    for (const name of names) {
      try {
        engine.containers.get(name);
      } catch (err) {
        missing.push(renderError(err).message);
      }
    }
    if (missing.length > 0) {
      ctx.io.err(`${missing.join("\n")}\n`);
      return { exitCode: 1 };
    }
    // The first frame waits for every container's first sample, as docker/cli's does.
    await Promise.all(names.map(follow));
  }
  let lastList = 0;
  for (;;) {
    if (showAll && Date.now() - lastList >= 1000) {
      lastList = Date.now();
      const now = new Set(await listed(ctx, flags.all === true));
      await Promise.all([...now].map(follow));
      for (const id of entries.keys()) if (!now.has(id)) entries.delete(id);
    }
    ctx.io.out(frame(render([...entries.values()], flags)));
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function run(ctx: CommandContext, names: string[], flags: StatsFlags): Promise<CommandResult> {
  return flags.noStream ? once(ctx, names, flags) : stream(ctx, names, flags);
}
