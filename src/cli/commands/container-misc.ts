/** `start`, `diff`, `rename`: one library call each. */
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { attachedRun, streams } from "./attached.ts";
import { eachName } from "./each.ts";

export async function start(
  ctx: CommandContext,
  names: string[],
  flags: { attach?: boolean; interactive?: boolean; detachKeys?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  if (!flags.attach && !flags.interactive) {
    return eachName(ctx, names, async (name) => {
      await engine.containers.start(name);
    });
  }
  if (names.length > 1) {
    throw new StrataError("INVALID_ARGUMENT", "you cannot start and attach multiple containers at once");
  }
  const name = names[0] as string;
  const c = engine.containers.get(name);
  const tty = c.config.Tty;
  const code = await attachedRun(ctx, c.id, !tty, () =>
    engine.containers.startAttached(c.id, streams(flags)),
  );
  return { exitCode: code ?? 0 };
}

export async function diff(ctx: CommandContext, name: string): Promise<CommandResult> {
  for (const c of (await ctx.engine()).containers.diff(name)) ctx.io.out(`${c.kind} ${c.path}\n`);
  return ok;
}

export async function rename(ctx: CommandContext, from: string, to: string): Promise<CommandResult> {
  (await ctx.engine()).containers.rename(from, to);
  return ok;
}
