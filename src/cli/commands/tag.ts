import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(ctx: CommandContext, source: string, target: string): Promise<CommandResult> {
  (await ctx.engine()).images.tag(source, target);
  return ok;
}
