/** `attach`, `stop`, `restart`, `pause`, `unpause`, `kill`, `wait`, `logs`, `exec`, `container prune` and conmon's `container cleanup`. */
import { StrataError } from "../../errors.ts";
import { humanSize, parseTimestamp } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { attachedRun, streams } from "./attached.ts";
import { eachName } from "./each.ts";
import { confirm } from "./image-prune.ts";

export async function attach(
  ctx: CommandContext,
  name: string,
  flags: { stdin?: boolean; detachKeys?: string; sigProxy?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const c = engine.containers.get(name);
  const interactive = flags.stdin !== false && c.config.OpenStdin;
  const proxySignals = !c.config.Tty && flags.sigProxy !== false;
  const code = await attachedRun(ctx, c.id, proxySignals, () =>
    engine.containers.attach(c.id, streams({ interactive, detachKeys: flags.detachKeys })),
  );
  return { exitCode: code ?? 0 };
}

export async function stop(
  ctx: CommandContext,
  names: string[],
  flags: { time?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const timeout = flags.time === undefined ? undefined : Number.parseInt(flags.time, 10);
  return eachName(ctx, names, (name) => engine.containers.stop(name, { timeout }));
}

export async function restart(
  ctx: CommandContext,
  names: string[],
  flags: { time?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const timeout = flags.time === undefined ? undefined : Number.parseInt(flags.time, 10);
  return eachName(ctx, names, (name) => engine.containers.restart(name, { timeout }));
}

export async function pause(ctx: CommandContext, names: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, (name) => engine.containers.pause(name));
}

export async function unpause(ctx: CommandContext, names: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, (name) => engine.containers.unpause(name));
}

export async function kill(
  ctx: CommandContext,
  names: string[],
  flags: { signal?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, (name) => engine.containers.kill(name, { signal: flags.signal }));
}

export async function wait(ctx: CommandContext, names: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, async (name) => String(await engine.containers.wait(name)));
}

/** A --since/--until value; Docker's daemon refuses others with this wording. */
function timestampFlag(name: "since" | "until", value: string): number {
  const t = parseTimestamp(value);
  if (t === undefined) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `invalid value for "${name}": failed to parse value as time or duration: "${value}"`,
      { details: { daemon: true } },
    );
  }
  return t;
}

export async function logs(
  ctx: CommandContext,
  name: string,
  flags: { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string },
): Promise<CommandResult> {
  const since = flags.since === undefined ? undefined : timestampFlag("since", flags.since);
  const until = flags.until === undefined ? undefined : timestampFlag("until", flags.until);
  const engine = await ctx.engine();
  const tail = flags.tail === undefined || flags.tail === "all" ? undefined : Number.parseInt(flags.tail, 10);
  const abort = new AbortController();
  const stopFollowing = () => abort.abort();
  process.once("SIGINT", stopFollowing);
  try {
    await engine.containers.logs(name, {
      follow: flags.follow,
      tail,
      timestamps: flags.timestamps,
      since,
      until,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: abort.signal,
    });
  } finally {
    process.off("SIGINT", stopFollowing);
  }
  return ok;
}

export async function exec(
  ctx: CommandContext,
  name: string,
  command: string[],
  flags: {
    interactive?: boolean;
    tty?: boolean;
    detach?: boolean;
    env?: string[];
    workdir?: string;
    user?: string;
    detachKeys?: string;
  },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const code = await engine.containers.exec(name, {
    args: command,
    env: flags.env,
    cwd: flags.workdir,
    user: flags.user,
    tty: flags.tty,
    detach: flags.detach,
    stdin: flags.interactive ? process.stdin : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    detachKeys: flags.detachKeys,
  });
  return { exitCode: code ?? 0 };
}

export async function prune(ctx: CommandContext, flags: { force?: boolean }): Promise<CommandResult> {
  if (!flags.force && !(await confirm(ctx, "WARNING! This will remove all stopped containers."))) return ok;
  const { deleted, reclaimed } = await (await ctx.engine()).containers.prune();
  if (deleted.length > 0) ctx.io.out(`Deleted Containers:\n${deleted.map((id) => `${id}\n`).join("")}\n`);
  ctx.io.out(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  return ok;
}

/** Run by conmon when a detached container exits: records the end, unmounts, removes --rm containers. */
export async function cleanup(ctx: CommandContext, id: string): Promise<CommandResult> {
  await (await ctx.engine()).containers.cleanup(id);
  return ok;
}
