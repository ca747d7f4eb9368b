/** `start -a`, `diff`, `rename`: one library call each. */
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function start(
  ctx: CommandContext,
  names: string[],
  flags: { attach?: boolean; interactive?: boolean },
): Promise<CommandResult> {
  if (names.length > 1 && (flags.attach || flags.interactive)) {
    throw new StrataError("INVALID_ARGUMENT", "you cannot start and attach multiple containers at once");
  }
  if (!flags.attach && !flags.interactive) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      "detached start is not supported yet: use `start -a` (strata has no monitor process yet)",
    );
  }
  const code = await (await ctx.engine()).containers.start(names[0], { interactive: flags.interactive });
  return { exitCode: code };
}

export async function diff(ctx: CommandContext, name: string): Promise<CommandResult> {
  for (const c of (await ctx.engine()).containers.diff(name)) ctx.io.out(`${c.kind} ${c.path}\n`);
  return ok;
}

export async function rename(ctx: CommandContext, from: string, to: string): Promise<CommandResult> {
  (await ctx.engine()).containers.rename(from, to);
  return ok;
}
