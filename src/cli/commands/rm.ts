/** `rm [-f] [-v] CONTAINER...`: prints each argument as typed once removed. */
import type { CommandContext, CommandResult } from "../context.ts";
import { eachName } from "./each.ts";

export async function run(
  ctx: CommandContext,
  names: string[],
  flags: { force?: boolean; volumes?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, async (name) => {
    await engine.containers.remove(name, { force: flags.force, volumes: flags.volumes });
  });
}
